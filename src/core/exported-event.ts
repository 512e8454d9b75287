import { InputError } from './errors.js';
import { describeJson, parseJsonObject, requireObject, validateEventId } from './input.js';
import { validateNameAt, validateSchemaVersion } from './new-event.js';
import type { ImportedEvent } from './ports.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real instant in the contract's format. Date.parse alone would take 2026-02-30 (as 2 March),
 * T24:00 (as the next midnight) and year 0000, so each field is checked against the calendar
 * instead: that is also five times faster than parsing and printing the time back, which an
 * import does for every line.
 */
export function isRecordedAt(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return false;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const leapDay = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= DAYS_IN_MONTH[month - 1]! + (leapDay ? 1 : 0) &&
    digitsAt(value, 11, 2) <= 23 &&
    digitsAt(value, 14, 2) <= 59 &&
    digitsAt(value, 17, 2) <= 59
  );
}

/** The number written by the `count` ASCII digits of `text` from `start`. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    value = value * 10 + text.charCodeAt(index) - 0x30;
  }
  return value;
}

/**
 * A recordedAt that an import or a spec's given event brings, checked (isRecordedAt) and written
 * as the store's own writers stamp times: milliseconds and Z, as toISOString gives. A fraction
 * of fewer than three digits is padded (`17:30:00Z` becomes `17:30:00.000Z`), so that times
 * compare as text, in SQL, the way they compare as instants (`…:00Z` would sort after
 * `…:00.500Z`) and a spec's projection sees what production would store. A longer fraction
 * is kept as given: no part of a time is lost.
 */
export function parseRecordedAt(value: unknown, where: string): string {
  if (!isRecordedAt(value)) {
    throw new InputError(
      `${where}: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got ${describeJson(value ?? null)}`,
    );
  }
  // The common case, and the only one an export of eventlite's own writes holds.
  if (value.length === CANONICAL_LENGTH) return value;
  const fraction = value.slice(20, -1);
  if (fraction.length >= 3) return value;
  return `${value.slice(0, 19)}.${fraction.padEnd(3, '0')}Z`;
}

/** `2026-11-26T10:00:00.000Z` */
const CANONICAL_LENGTH = 24;

/** One line of an export, checked; `where` is `file:line` for messages. */
export function parseExportedEvent(text: string, where: string): ImportedEvent {
  const object = parseJsonObject(text, where, { envelope: true });
  const recordedAt = parseRecordedAt(object.recordedAt, where);
  const event: ImportedEvent = {
    stream: validateNameAt(where, 'stream', object.stream),
    type: validateNameAt(where, 'event type', object.type),
    id: validateEventId(object.id, `${where}: "id"`),
    data: requireObject(object.data, `${where}: "data"`),
    metadata:
      object.metadata === undefined ? {} : requireObject(object.metadata, `${where}: "metadata"`),
    recordedAt,
  };
  if (object.schemaVersion !== undefined) {
    event.schemaVersion = validateSchemaVersion(object.schemaVersion, where);
  }
  return event;
}

/** A stored event as an import compares it with an incoming one of the same id. */
export interface StoredContent {
  stream: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
  recordedAt: string;
}

/**
 * What differs between an incoming event and the stored event of its id (`data differs`,
 * `type and data differ`), or undefined when they are the same event: then importing it again
 * is a safe retry. Data and metadata are compared as JSON text, which JSON.stringify wrote on
 * both sides, so the same object in the same key order is the same text.
 */
export function contentDifference(
  event: ImportedEvent,
  stored: StoredContent,
  texts: { dataJson: string; metadataJson: string } = {
    dataJson: JSON.stringify(event.data),
    metadataJson: JSON.stringify(event.metadata),
  },
): string | undefined {
  const fields = [
    event.type !== stored.type && 'type',
    (event.schemaVersion ?? 1) !== stored.schemaVersion && 'schemaVersion',
    texts.dataJson !== stored.dataJson && 'data',
    texts.metadataJson !== stored.metadataJson && 'metadata',
    event.recordedAt !== stored.recordedAt && 'recordedAt',
  ].filter((field): field is string => field !== false);
  if (fields.length === 0) return undefined;
  if (fields.length === 1) return `${fields[0]} differs`;
  return `${fields.slice(0, -1).join(', ')} and ${fields.at(-1)} differ`;
}
