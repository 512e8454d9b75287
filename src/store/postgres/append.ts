import type pg from 'pg';
import { checkBatch, eventRowsToWrite, idsOf, isStoredBatch } from '../../core/batch.js';
import type { NewEvent } from '../../core/events.js';
import { checkExpectedVersion } from '../../core/expected-version.js';
import type { AppendOptions, AppendResult } from '../../core/ports.js';
import { toRecordedAt } from '../../core/time-range.js';
import { newEventId } from '../ids.js';
import type { PgTarget } from './connection.js';
import {
  eventFromInsertRow,
  insertEvents,
  streamsOfIds,
  type EventInsertRow,
} from './statements.js';
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
  const prepared = checkBatch(stream, events);
  const ids = idsOf(prepared);

  return inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    // Separate statements after the lock: each sees what the writer before us committed.
    const storedIn = await streamsOfIds(client, ids);
    const stored = isStoredBatch(stream, prepared, (id) => storedIn.get(id));
    const actual = await streamVersionOn(client, stream);
    if (stored) return { stream, events: [], version: actual, alreadyStored: true };

    checkExpectedVersion(stream, options.expectedVersion ?? 'any', actual);
    const recordedAt = toRecordedAt(options.now?.() ?? new Date());
    const rows: EventInsertRow[] = eventRowsToWrite(stream, prepared, {
      version: actual,
      recordedAt,
      newId: newEventId,
    }).map((row, index) => ({ ...row, position: head + index + 1 }));
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

/** Locks the head row, queueing behind any other writer, and returns the last position given out. */
export async function lockHead(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ position: string }>({
    name: 'eventlite.lockHead',
    text: 'SELECT position FROM eventlite.head FOR UPDATE',
  });
  return Number(rows[0]!.position);
}

export async function setHead(client: pg.ClientBase, position: number): Promise<void> {
  await client.query({
    name: 'eventlite.setHead',
    text: 'UPDATE eventlite.head SET position = $1',
    values: [position],
  });
}
