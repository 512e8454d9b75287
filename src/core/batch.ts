import { DuplicateEventIdError, InputError } from './errors.js';
import type { NewEvent } from './events.js';
import { validateEventId, validateName } from './input.js';
import { jsonObjectProblem } from './json-value.js';
import { refuseSystemStream } from './lifecycle.js';

// The rules of one append that hold before and after the database is asked, the same for
// every adapter.

/**
 * The batch with names, ids and payloads checked (ids lower-cased); an id twice in it is
 * refused. Data and metadata must be plain JSON objects, whoever built them: a library caller
 * can hand over a Date or NaN that no typed-in JSON could hold.
 */
export function checkBatch(stream: string, events: readonly NewEvent[]): NewEvent[] {
  validateName('stream', stream);
  refuseSystemStream(stream);
  const checked = events.map((event, index) => {
    const problem =
      jsonObjectProblem(event.data, 'data') ??
      (event.metadata === undefined ? undefined : jsonObjectProblem(event.metadata, 'metadata'));
    if (problem !== undefined) {
      throw new InputError(`event ${index + 1} (${String(event.type)}): ${problem}`);
    }
    if (event.schemaVersion !== undefined && !isSchemaVersion(event.schemaVersion)) {
      throw new InputError(
        `event ${index + 1} (${String(event.type)}): schemaVersion must be a positive integer, got ${String(event.schemaVersion)}`,
      );
    }
    const type = validateName('event type', event.type);
    const id = event.id === undefined ? undefined : validateEventId(event.id);
    // A copy only when something changed (an id lower-cased): a one-event append is common.
    return type === event.type && id === event.id ? event : { ...event, type, id };
  });
  // A set, not a search of the list: a batch of 200k ids must not take n² steps.
  const seen = new Set<string>();
  for (const id of idsOf(checked)) {
    if (seen.has(id)) throw new InputError(`event id ${id} appears twice in the batch`);
    seen.add(id);
  }
  return checked;
}

export function idsOf(events: readonly NewEvent[]): string[] {
  return events.flatMap((event) => (event.id === undefined ? [] : [event.id]));
}

/**
 * True when every event of the batch carries an id already stored in `stream`: a retry, which
 * appends nothing and succeeds. Throws when an id is stored in another stream, or when only
 * part of the batch is stored. `storedIn` tells the stream an id is stored in, if any.
 */
export function isStoredBatch(
  stream: string,
  events: readonly NewEvent[],
  storedIn: (id: string) => string | undefined,
): boolean {
  let storedCount = 0;
  let firstStoredId: string | undefined;
  for (const event of events) {
    if (event.id === undefined) continue;
    const other = storedIn(event.id);
    if (other === undefined) continue;
    if (other !== stream) throw new DuplicateEventIdError(event.id, stream, other);
    storedCount += 1;
    firstStoredId ??= event.id;
  }
  if (storedCount === 0) return false;
  if (storedCount === events.length) return true;
  throw new DuplicateEventIdError(firstStoredId!, stream, stream);
}

/** One event of a batch as the store writes it: data and metadata as JSON text. */
export interface EventRowToWrite {
  id: string;
  stream: string;
  version: number;
  type: string;
  data: string;
  metadata: string;
  recordedAt: string;
  schemaVersion: number;
}

/** A version of an event type's data shape: 1, 2, … */
export function isSchemaVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/**
 * The rows a checked batch becomes on a stream now at `version`: versions follow on, every
 * event gets the one time of the batch, and an id from `newId` when it brought none (ids and
 * times come from the edge).
 */
export function eventRowsToWrite(
  stream: string,
  events: readonly NewEvent[],
  at: { version: number; recordedAt: string; newId: () => string },
): EventRowToWrite[] {
  return events.map((event, index) => ({
    id: event.id ?? at.newId(),
    stream,
    version: at.version + index + 1,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata ?? {}),
    recordedAt: at.recordedAt,
    schemaVersion: event.schemaVersion ?? 1,
  }));
}
