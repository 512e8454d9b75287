import type pg from 'pg';
import { DuplicateEventIdError } from '../../core/errors.js';
import type { ImportedEvent, ImportSession, ImportSummary } from '../../core/ports.js';
import type { PgTarget } from './connection.js';
import { translatePgError } from './errors.js';
import { lockHead, setHead } from './append.js';
import { insertEvents, streamsOfIds, type EventInsertRow } from './statements.js';
import { BEGIN_WRITE, connect } from './transaction.js';

/**
 * A whole import as one transaction on one connection, holding the head lock from the start
 * as SQLite's BEGIN IMMEDIATE holds the write lock: positions continue from the head without
 * gaps, and other writers wait (then get StoreBusyError) until it commits or rolls back.
 */
export async function beginPgImport(pool: pg.Pool, target: PgTarget): Promise<ImportSession> {
  const client = await connect(pool, target);
  let head: number;
  try {
    await client.query(BEGIN_WRITE);
    head = await lockHead(client);
  } catch (error) {
    await end(client, 'ROLLBACK');
    throw translatePgError(error, target);
  }
  let open = true;
  let imported = 0;
  let skipped = 0;
  // Each stream's version as this transaction sees it; bounded, as an import may touch millions.
  const versions = new Map<string, number>();

  async function add(events: readonly ImportedEvent[]): Promise<void> {
    if (versions.size >= 100_000) versions.clear();
    const storedIn = await streamsOfIds(
      client,
      events.map((event) => event.id),
    );
    await loadVersions(events.map((event) => event.stream));
    // Nothing of the session's own state moves until the batch is in: a failed add leaves it
    // as it was.
    const rows: EventInsertRow[] = [];
    const touched = new Map<string, number>();
    let skippedHere = 0;
    for (const event of events) {
      const other = storedIn.get(event.id);
      if (other !== undefined) {
        if (other !== event.stream) throw new DuplicateEventIdError(event.id, event.stream, other);
        skippedHere += 1;
        continue;
      }
      const version = (touched.get(event.stream) ?? versions.get(event.stream)!) + 1;
      touched.set(event.stream, version);
      // The same id later in this batch is then a repeat, as it would be in a later batch.
      storedIn.set(event.id, event.stream);
      rows.push({
        position: head + rows.length + 1,
        id: event.id,
        stream: event.stream,
        version,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        recordedAt: event.recordedAt,
      });
    }
    await insertEvents(client, rows);
    for (const [stream, version] of touched) versions.set(stream, version);
    head += rows.length;
    imported += rows.length;
    skipped += skippedHere;
  }

  async function loadVersions(streams: readonly string[]): Promise<void> {
    const missing = [...new Set(streams)].filter((stream) => !versions.has(stream));
    if (missing.length === 0) return;
    for (const stream of missing) versions.set(stream, 0);
    const { rows } = await client.query<[string, number]>({
      name: 'eventlite.streamVersions',
      text: `SELECT stream, max(version) FROM eventlite.events
             WHERE stream = ANY($1::text[]) GROUP BY stream`,
      values: [missing],
      rowMode: 'array',
    });
    for (const [stream, version] of rows) versions.set(stream, version);
  }

  function ensureOpen(): void {
    if (!open) throw new Error('this import has already been committed or rolled back');
  }

  return {
    async add(events) {
      ensureOpen();
      try {
        await add(events);
      } catch (error) {
        throw translatePgError(error, target);
      }
    },
    async commit(): Promise<ImportSummary> {
      ensureOpen();
      open = false;
      try {
        await setHead(client, head);
        await client.query('COMMIT');
      } catch (error) {
        await end(client, 'ROLLBACK');
        throw translatePgError(error, target);
      }
      client.release();
      return { imported, skipped, head };
    },
    async rollback() {
      if (!open) return;
      open = false;
      await end(client, 'ROLLBACK');
    },
  };
}

/** Ends the transaction and gives the connection back, or throws it away if it is broken. */
async function end(client: pg.PoolClient, statement: 'ROLLBACK'): Promise<void> {
  let broken = false;
  await client.query(statement).catch(() => (broken = true));
  client.release(broken);
}
