import type pg from 'pg';
import { DuplicateEventIdError, InputError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import { checkExpectedVersion } from '../../core/expected-version.js';
import { validateEventId, validateName } from '../../core/input.js';
import type { AppendOptions, AppendResult } from '../../core/ports.js';
import { newEventId } from '../ids.js';
import type { PgTarget } from './connection.js';
import {
  eventFromInsertRow,
  insertEvents,
  lockHead,
  setHead,
  streamsOfIds,
  type EventInsertRow,
} from './rows.js';
import { streamVersionOn } from './read.js';
import { inTransaction } from './transaction.js';

/**
 * Appends a batch to one stream, all or nothing. The transaction locks the head row first, so
 * writers queue as under SQLite's BEGIN IMMEDIATE; the expected version is checked after that
 * lock, and `UNIQUE(stream, version)` guards the rest. Re-sending a batch whose ids are all
 * stored in this stream is a successful no-op.
 */
export async function appendToPgStream(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): Promise<AppendResult> {
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

  return inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    // Separate statements after the lock: each sees what the writer before us committed.
    const stored = findStoredBatch(stream, prepared, await streamsOfIds(client, ids));
    const actual = await streamVersionOn(client, stream);
    if (stored) return { stream, events: [], version: actual, alreadyStored: true };

    checkExpectedVersion(stream, options.expectedVersion ?? 'any', actual);
    const recordedAt = (options.now?.() ?? new Date()).toISOString();
    const rows: EventInsertRow[] = prepared.map((event, index) => ({
      position: head + index + 1,
      id: event.id ?? newEventId(),
      stream,
      version: actual + index + 1,
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata ?? {}),
      recordedAt,
    }));
    if (rows.length > 0) {
      await insertEvents(client, rows);
      await setHead(client, head + rows.length);
    }
    return {
      stream,
      events: rows.map(eventFromInsertRow),
      version: actual + rows.length,
      alreadyStored: false,
    };
  });
}

/**
 * True when every event of the batch carries an id already stored in `stream` (a retry).
 * Throws when an id is stored in another stream, or when only part of the batch is stored.
 */
function findStoredBatch(
  stream: string,
  events: readonly NewEvent[],
  storedIn: Map<string, string>,
): boolean {
  let storedCount = 0;
  let firstStoredId: string | undefined;
  for (const event of events) {
    if (event.id === undefined) continue;
    const other = storedIn.get(event.id);
    if (other === undefined) continue;
    if (other !== stream) throw new DuplicateEventIdError(event.id, stream, other);
    storedCount += 1;
    firstStoredId ??= event.id;
  }
  if (storedCount === 0) return false;
  if (storedCount === events.length) return true;
  throw new DuplicateEventIdError(firstStoredId!, stream, stream);
}
