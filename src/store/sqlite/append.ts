import { DuplicateEventIdError, InputError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import { checkExpectedVersion } from '../../core/expected-version.js';
import { validateEventId, validateName } from '../../core/input.js';
import type { AppendOptions, AppendResult } from '../../core/ports.js';
import { StoredEvent } from '../../core/recorded-event.js';
import { newEventId } from '../ids.js';
import { type Db, pluck, prepared, STORE_SQL } from './statements.js';

/**
 * Appends a batch to one stream, all or nothing, in a `BEGIN IMMEDIATE` transaction: the
 * expected version is checked under the write lock, and `UNIQUE(stream, version)` guards the
 * rest. Re-sending a batch whose ids are all stored in this stream is a successful no-op.
 */
export function appendToStream(
  db: Db,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): AppendResult {
  validateName('stream', stream);
  const prepared = events.map((event) => ({
    ...event,
    type: validateName('event type', event.type),
    id: event.id === undefined ? undefined : validateEventId(event.id),
  }));
  const ids = prepared.flatMap((event) => (event.id === undefined ? [] : [event.id]));
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new InputError(`event id ${repeated} appears twice in the batch`);
  // better-sqlite3 transactions must stay synchronous: no await may happen inside.
  return db.transaction(() => insertBatch(db, stream, prepared, options)).immediate();
}

function insertBatch(
  db: Db,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions,
): AppendResult {
  const insert = prepared(db, STORE_SQL.insertEvent);
  const retry = findStoredBatch(db, stream, events);
  const actual = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
  if (retry) return { stream, events: [], version: actual, alreadyStored: true };

  checkExpectedVersion(stream, options.expectedVersion ?? 'any', actual);
  const recordedAt = (options.now?.() ?? new Date()).toISOString();
  const written = events.map((event, index) => {
    const row = {
      id: event.id ?? newEventId(),
      stream,
      version: actual + index + 1,
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata ?? {}),
      recordedAt,
    };
    const position = Number(insert.run(row).lastInsertRowid);
    return new StoredEvent(
      position,
      stream,
      row.version,
      row.type,
      row.id,
      row.data,
      row.metadata,
      recordedAt,
    );
  });
  return {
    stream,
    events: written,
    version: actual + events.length,
    alreadyStored: false,
  };
}

/**
 * True when every event of the batch carries an id already stored in `stream` (a retry).
 * Throws when an id is stored in another stream, or when only part of the batch is stored.
 */
function findStoredBatch(db: Db, stream: string, events: readonly NewEvent[]): boolean {
  let storedCount = 0;
  let firstStoredId: string | undefined;
  for (const event of events) {
    if (event.id === undefined) continue;
    const storedIn = pluck<string | undefined>(db, STORE_SQL.streamOfEventId, event.id);
    if (storedIn === undefined) continue;
    if (storedIn !== stream) throw new DuplicateEventIdError(event.id, stream, storedIn);
    storedCount += 1;
    firstStoredId ??= event.id;
  }
  if (storedCount === 0) return false;
  if (storedCount === events.length) return true;
  throw new DuplicateEventIdError(firstStoredId!, stream, stream);
}
