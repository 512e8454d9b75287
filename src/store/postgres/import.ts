import type pg from 'pg';
import { DuplicateEventIdError } from '../../core/errors.js';
import { contentDifference, type StoredContent } from '../../core/exported-event.js';
import type { ImportedEvent, ImportSession, ImportSummary } from '../../core/ports.js';
import type { PgTarget } from './connection.js';
import { translatePgError } from './errors.js';
import { lockHead, setHead } from './append.js';
import { insertEvents, type EventInsertRow } from './statements.js';
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
    const stored = await storedContentOfIds(
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
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata);
      const before = stored.get(event.id);
      if (before !== undefined) {
        const { id, stream } = event;
        if (before.stream !== stream) throw new DuplicateEventIdError(id, stream, before.stream);
        const texts = { dataJson: data, metadataJson: metadata };
        const differs = contentDifference(event, before, texts);
        if (differs !== undefined) throw new DuplicateEventIdError(id, stream, stream, differs);
        skippedHere += 1;
        continue;
      }
      const version = (touched.get(event.stream) ?? versions.get(event.stream)!) + 1;
      touched.set(event.stream, version);
      const schemaVersion = event.schemaVersion ?? 1;
      const { stream, type, recordedAt } = event;
      // The same id later in this batch is then a repeat, as it would be in a later batch.
      stored.set(event.id, {
        stream,
        type,
        schemaVersion,
        dataJson: data,
        metadataJson: metadata,
        recordedAt,
      });
      const position = head + rows.length + 1;
      rows.push({
        position,
        id: event.id,
        stream,
        version,
        type,
        data,
        metadata,
        recordedAt,
        schemaVersion,
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

/** What is stored under each of `ids` that is stored, to compare with what comes in. */
async function storedContentOfIds(
  client: pg.ClientBase,
  ids: readonly string[],
): Promise<Map<string, StoredContent>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query<[string, string, string, number, string, string, string]>({
    name: 'eventlite.storedContentOfIds',
    text: `SELECT id, stream, type, schema_version, data, metadata, recorded_at
           FROM eventlite.events WHERE id = ANY($1::text[])`,
    values: [ids],
    rowMode: 'array',
  });
  return new Map(
    rows.map(([id, stream, type, schemaVersion, dataJson, metadataJson, recordedAt]) => [
      id,
      { stream, type, schemaVersion, dataJson, metadataJson, recordedAt },
    ]),
  );
}

/** Ends the transaction and gives the connection back, or throws it away if it is broken. */
async function end(client: pg.PoolClient, statement: 'ROLLBACK'): Promise<void> {
  let broken = false;
  await client.query(statement).catch(() => (broken = true));
  client.release(broken);
}
