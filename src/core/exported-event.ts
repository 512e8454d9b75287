import { InputError } from './errors.js';
import { describeJson, parseJsonObject, requireObject, validateEventId } from './input.js';
import { validateNameAt } from './new-event.js';
import type { ImportedEvent } from './ports.js';

const ISO_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * A real instant in the contract's format: Date.parse takes 2026-02-30 (as 2 March), T24:00
 * (as the next midnight) and year 0000, so the time printed back must be the one given.
 */
export function isRecordedAt(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_TIME.exec(value);
  if (!match || match[1] === '0000') return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === value.slice(0, 19);
}

/** One line of an export, checked; `where` is `file:line` for messages. */
export function parseExportedEvent(text: string, where: string): ImportedEvent {
  const object = parseJsonObject(text, where, { envelope: true });
  const recordedAt = object.recordedAt;
  if (!isRecordedAt(recordedAt)) {
    throw new InputError(
      `${where}: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got ${describeJson(recordedAt ?? null)}`,
    );
  }
  return {
    stream: validateNameAt(where, 'stream', object.stream),
    type: validateNameAt(where, 'event type', object.type),
    id: validateEventId(object.id, `${where}: "id"`),
    data: requireObject(object.data, `${where}: "data"`),
    metadata:
      object.metadata === undefined ? {} : requireObject(object.metadata, `${where}: "metadata"`),
    recordedAt,
  };
}
