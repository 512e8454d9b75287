import type pg from 'pg';
import { DuplicateEventIdError } from '../../core/errors.js';
import { contentDifference } from '../../core/exported-event.js';
import { SYSTEM_STREAM } from '../../core/lifecycle.js';
import { isLifecycleChangedCopy } from '../../core/redaction.js';
import type { ImportedEvent, ImportSession, ImportSummary } from '../../core/ports.js';
import type { PgTarget } from './connection.js';
import { ImportMemory, probeStored } from './import-memory.js';
import { translatePgError } from './errors.js';
import { insertEvents, type EventInsertRow } from './statements.js';
import { PgImportLifecycle } from './import-lifecycle.js';
import { BEGIN_WRITE, connect } from './transaction.js';

/**
 * A whole import as one transaction on one connection, holding the head lock from the start
 * as SQLite's BEGIN IMMEDIATE holds the write lock: positions continue from the head without
 * gaps, and other writers wait (then get StoreBusyError) until it commits or rolls back.
 *
 * A batch's INSERT is sent and not waited for: the caller reads and parses the next batch while
 * the server writes this one. Its failure is reported by the next `add` or by `commit`, and the
 * whole import is then rolled back, as any failure rolls it back.
 */
export async function beginPgImport(pool: pg.Pool, target: PgTarget): Promise<ImportSession> {
  const client = await connect(pool, target);
  let head: number;
  let lifecycle: PgImportLifecycle;
  try {
    await client.query(BEGIN_WRITE);
    head = await lockHead(client);
    lifecycle = await PgImportLifecycle.load(client);
  } catch (error) {
    await end(client);
    throw translatePgError(error, target);
  }
  const memory = new ImportMemory(head === 0);
  let open = true;
  let imported = 0;
  let skipped = 0;
  let writing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  async function add(events: readonly ImportedEvent[]): Promise<void> {
    const ids = events.map((event) => event.id).filter((id) => memory.mayBeStored(id));
    const streams = [...new Set(events.map((event) => event.stream))].filter(
      (stream) => memory.version(stream) === undefined,
    );
    // A probe queues behind the batch in flight: wait for it first, so that its failure is
    // the one reported.
    if (ids.length + streams.length > 0) await written();
    const facts = await probeStored(client, [...new Set(ids)], streams);
    // Nothing of the session's own state moves until the batch is checked: a failed add
    // leaves it as it was.
    const rows: EventInsertRow[] = [];
    // Audit events, whose deletions this store follows once they are in (see PgImportLifecycle).
    const audits: [ImportedEvent, number][] = [];
    const touched = new Map<string, number>();
    let skippedHere = 0;
    for (const event of events) {
      const before = facts.contentOf.get(event.id);
      // 'stored' (a retry into a hidden stream) goes on to the content check below.
      if (lifecycle.admit(event, before?.stream) === 'deleted') continue;
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata);
      if (before !== undefined) {
        const { id, stream } = event;
        if (before.stream !== stream) throw new DuplicateEventIdError(id, stream, before.stream);
        const texts = { dataJson: data, metadataJson: metadata };
        const differs = contentDifference(event, before, texts);
        // An earlier copy of an event redacted or forgotten here since is the same event.
        const changedHere =
          differs === 'data differs' && isLifecycleChangedCopy(data, before.dataJson);
        if (differs !== undefined && !changedHere) {
          throw new DuplicateEventIdError(id, stream, stream, differs);
        }
        skippedHere += 1;
        continue;
      }
      const version =
        (touched.get(event.stream) ??
          memory.version(event.stream) ??
          facts.versionOf.get(event.stream) ??
          0) + 1;
      touched.set(event.stream, version);
      const schemaVersion = event.schemaVersion ?? 1;
      const { stream, type, recordedAt } = event;
      // The same id later in this batch is then a repeat, as it would be in a later batch.
      facts.contentOf.set(event.id, {
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
      if (event.stream === SYSTEM_STREAM) audits.push([event, rows[rows.length - 1]!.position]);
    }
    await written();
    writing = insertEvents(client, rows).catch((error: unknown) => {
      failure = { error };
    });
    memory.wrote(rows);
    // Following an imported deletion reads the stream's version: the batch must be in first.
    if (audits.length > 0) await written();
    for (const [event, position] of audits) await lifecycle.inserted(event, position);
    head += rows.length;
    imported += rows.length;
    skipped += skippedHere;
  }

  /** Waits for the batch in flight; throws its failure. */
  async function written(): Promise<void> {
    await writing;
    if (failure) throw failure.error;
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
    async addKeys(keys) {
      ensureOpen();
      try {
        await lifecycle.addKeys(keys);
      } catch (error) {
        throw translatePgError(error, target);
      }
    },
    async commit(): Promise<ImportSummary> {
      ensureOpen();
      open = false;
      try {
        await written();
        await setHead(client, head);
        await client.query('COMMIT');
      } catch (error) {
        await end(client);
        throw translatePgError(error, target);
      }
      client.release();
      return { imported, skipped, head, ...lifecycle.summary() };
    },
    async rollback() {
      if (!open) return;
      open = false;
      await writing;
      await end(client);
    },
  };
}

/** Rolls back and gives the connection back, or throws it away if it is broken. */
async function end(client: pg.PoolClient): Promise<void> {
  let broken = false;
  await client.query('ROLLBACK').catch(() => (broken = true));
  client.release(broken);
}

/** Locks the head row, queueing every other writer behind the import; the last position given out. */
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
