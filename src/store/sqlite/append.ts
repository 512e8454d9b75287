import { checkBatch, eventRowsToWrite, isStoredBatch } from '../../core/batch.js';
import type { NewEvent } from '../../core/events.js';
import { checkExpectedVersion } from '../../core/expected-version.js';
import type { AppendOptions, AppendResult } from '../../core/ports.js';
import { StoredEvent } from '../../core/recorded-event.js';
import { toRecordedAt } from '../../core/time-range.js';
import { newEventId } from '../ids.js';
import { refuseDeletedStream } from './lifecycle.js';
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
  const checked = checkBatch(stream, events);
  return appendTransaction(db)(stream, checked, options);
}

type AppendTransaction = (
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions,
) => AppendResult;

// One transaction function per connection: better-sqlite3 builds four wrappers each time
// transaction() is called, a measurable part of a one-event append.
const transactions = new WeakMap<Db, AppendTransaction>();

function appendTransaction(db: Db): AppendTransaction {
  let append = transactions.get(db);
  if (!append) {
    // better-sqlite3 transactions must stay synchronous: no await may happen inside.
    const transaction = db.transaction(
      (stream: string, events: readonly NewEvent[], options: AppendOptions) =>
        insertBatch(db, stream, events, options),
    );
    append = transaction.immediate.bind(transaction) as AppendTransaction;
    transactions.set(db, append);
  }
  return append;
}

function insertBatch(
  db: Db,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions,
): AppendResult {
  const insert = prepared(db, STORE_SQL.insertEvent);
  const retry = isStoredBatch(stream, events, (id) =>
    pluck<string | undefined>(db, STORE_SQL.streamOfEventId, id),
  );
  const actual = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
  if (retry) return { stream, events: [], version: actual, alreadyStored: true };
  refuseDeletedStream(db, stream);

  checkExpectedVersion(stream, options.expectedVersion ?? 'any', actual);
  const recordedAt = toRecordedAt(options.now?.() ?? new Date());
  const rows = eventRowsToWrite(stream, events, { version: actual, recordedAt, newId: newEventId });
  const written = rows.map((row) => {
    const { id, type, data, metadata } = row;
    const { lastInsertRowid } = insert.run(
      id,
      stream,
      row.version,
      type,
      data,
      metadata,
      recordedAt,
      row.schemaVersion,
    );
    const position = Number(lastInsertRowid);
    return new StoredEvent(
      position,
      row.stream,
      row.version,
      row.type,
      row.id,
      row.data,
      row.metadata,
      row.recordedAt,
      row.schemaVersion,
    );
  });
  return {
    stream,
    events: written,
    version: actual + events.length,
    alreadyStored: false,
  };
}
