import type pg from 'pg';
import {
  auditEvent,
  SYSTEM_STREAM,
  type AuditType,
  type DeletedStream,
} from '../../core/lifecycle.js';
import type { LifecycleOptions } from '../../core/ports.js';
import { toRecordedAt } from '../../core/time-range.js';
import type { StoredEvent } from '../../core/recorded-event.js';
import { newEventId } from '../ids.js';
import { PURGE_WAIT_MS, type PgTarget } from './connection.js';
import { waitForOlderSnapshots } from './purge-wait.js';
import { streamVersionOn } from './read.js';
import { setHead } from './import.js';
import { eventFromInsertRow, insertEvents } from './statements.js';

// What the lifecycle commands (delete-stream.ts, redact.ts, forget.ts) share: the setting that
// lets their one transaction change events past the append-only triggers, the audit event,
// the bookkeeping of deleted streams and snapshots, and the VACUUM FULL that takes what they
// removed out of the tables' files.

/** Lets this transaction's UPDATE and DELETE of events through the triggers, until it ends. */
export async function permitChanges(client: pg.ClientBase): Promise<void> {
  await client.query(`SET LOCAL eventlite.lifecycle = 'on'`);
}

/**
 * Appends the audit event to the system stream at `head + 1`, inside the command's
 * transaction, which holds the head lock from its start.
 */
export async function appendPgAudit(
  client: pg.ClientBase,
  head: number,
  type: AuditType,
  data: object,
  options: LifecycleOptions,
): Promise<StoredEvent> {
  const event = auditEvent(type, data);
  const row = {
    position: head + 1,
    id: newEventId(),
    stream: SYSTEM_STREAM,
    version: (await streamVersionOn(client, SYSTEM_STREAM)) + 1,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata ?? {}),
    recordedAt: toRecordedAt(options.now?.() ?? new Date()),
    // Audit events have one shape: eventlite's own, version 1.
    schemaVersion: 1,
  };
  await insertEvents(client, [row]);
  await setHead(client, row.position);
  return eventFromInsertRow(row);
}

export async function deletedPgStream(
  client: pg.ClientBase | pg.Pool,
  stream: string,
): Promise<DeletedStream | undefined> {
  const { rows } = await client.query<[boolean, number, string]>({
    name: 'eventlite.deletedStream',
    text: 'SELECT hard, version, position FROM eventlite.deleted_streams WHERE stream = $1',
    values: [stream],
    rowMode: 'array',
  });
  const row = rows[0];
  return row && { hard: row[0], version: row[1], position: Number(row[2]) };
}

/** Snapshots fold a stream's events: those of a changed stream must go with them. */
export async function deletePgSnapshots(
  client: pg.ClientBase,
  streams: readonly string[],
): Promise<void> {
  await client.query('DELETE FROM eventlite.snapshots WHERE stream = ANY($1::text[])', [streams]);
}

export async function pgStoreId(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<[string]>({
    text: 'SELECT store_id FROM eventlite.meta',
    rowMode: 'array',
  });
  return rows[0]![0];
}

export type PurgedTable = 'events' | 'snapshots' | 'keys';

/**
 * After the commit: a deleted or updated row's old version stays in its table's pages as a
 * dead tuple, and a plain VACUUM only marks its space free, so VACUUM FULL rewrites each
 * table the command changed into new files. It first waits for older transactions that can
 * still see those versions (purge-wait.ts), since VACUUM FULL would copy them. It holds the
 * table's exclusive lock while it runs (other commands wait, up to the lock timeout); when it
 * cannot run, or ran while such a transaction stayed open, the change stands and the warning
 * says what to do.
 */
export async function vacuumPgTables(
  pool: pg.Pool,
  target: PgTarget,
  tables: readonly PurgedTable[],
  audit: StoredEvent,
  options: LifecycleOptions,
): Promise<string | undefined> {
  const blockers = await waitForOlderSnapshots(
    pool,
    audit.position,
    options.purgeWaitMs ?? PURGE_WAIT_MS,
  );
  const failed: string[] = [];
  let reason = '';
  for (const table of tables) {
    try {
      await pool.query(`VACUUM FULL eventlite.${table}`);
    } catch (error) {
      failed.push(`eventlite.${table}`);
      reason = (error as Error).message;
    }
  }
  if (failed.length > 0) {
    return `VACUUM FULL ${failed.join(', ')} did not run at ${target.location} (${reason}); until it does, the old row versions hold what was removed`;
  }
  if (blockers.length === 0) return undefined;
  const names = tables.map((table) => `eventlite.${table}`).join(', ');
  return `VACUUM FULL ${names} ran at ${target.location} while older transactions could still see the removed rows: ${blockers.join(', ')}; their old versions may hold what was removed until a VACUUM FULL of those tables runs after they end`;
}
