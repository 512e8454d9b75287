import type pg from 'pg';
import { InputError, NotFoundError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import {
  AUDIT_TYPES,
  refuseSystemStream,
  StreamDeletedError,
  type StreamDeletedData,
} from '../../core/lifecycle.js';
import type { LifecycleOptions, LifecycleResult } from '../../core/ports.js';
import { AffectedEvents } from '../affected-events.js';
import { eventJsonLine } from '../../core/recorded-event.js';
import type { PgTarget } from './connection.js';
import {
  appendPgAudit,
  deletedPgStream,
  deletePgSnapshots,
  permitChanges,
  pgStoreId,
  vacuumPgTables,
} from './lifecycle.js';
import { streamVersionOn } from './read.js';
import { lockHead } from './import.js';
import { EVENT_COLUMNS, eventFromArray, type EventArrayRow } from './statements.js';
import { inTransaction } from './transaction.js';

/**
 * `streams delete`: soft hides the stream (its events stay), hard removes its events; either
 * way in one transaction with its snapshots gone, the stream marked deleted and the audit event
 * appended. A hard delete then rewrites the tables it changed (see vacuumPgTables).
 */
export async function deletePgStream(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  options: LifecycleOptions & { hard: boolean },
): Promise<LifecycleResult> {
  validateName('stream', stream);
  refuseSystemStream(stream, 'cannot be deleted');
  const audit = await inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    const deleted = await deletedPgStream(client, stream);
    if (deleted && (deleted.hard || !options.hard)) throw new StreamDeletedError(stream, deleted);
    const version = await streamVersionOn(client, stream);
    if (version === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
    const data: StreamDeletedData = {
      store: await pgStoreId(client),
      stream,
      hard: options.hard,
      version,
    };
    if (options.hard) {
      Object.assign(data, (await tallyStream(client, stream)).summary(stream));
      await permitChanges(client);
      await client.query('DELETE FROM eventlite.events WHERE stream = $1', [stream]);
    }
    const event = await appendPgAudit(client, head, AUDIT_TYPES.streamDeleted, data, options);
    await client.query(
      `INSERT INTO eventlite.deleted_streams (stream, hard, version, position, deleted_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream) DO UPDATE SET hard = excluded.hard, version = excluded.version,
         position = excluded.position, deleted_at = excluded.deleted_at`,
      [stream, options.hard, version, event.position, event.recordedAt],
    );
    await deletePgSnapshots(client, [stream]);
    return event;
  });
  const purgeWarning = options.hard
    ? await vacuumPgTables(pool, target, ['events', 'snapshots'], audit, options)
    : undefined;
  return { audit, purgeWarning };
}

/** `streams restore`: a soft-deleted stream is back as it was, audited. */
export async function restorePgStream(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  options: LifecycleOptions,
): Promise<LifecycleResult> {
  validateName('stream', stream);
  const audit = await inTransaction(pool, target, async (client) => {
    const head = await lockHead(client);
    const deleted = await deletedPgStream(client, stream);
    if (deleted?.hard) throw new StreamDeletedError(stream, deleted);
    if (!deleted) {
      if ((await streamVersionOn(client, stream)) === 0) {
        throw new NotFoundError(`stream "${stream}" does not exist`);
      }
      throw new InputError(`stream "${stream}" is not deleted; nothing to restore`);
    }
    await client.query('DELETE FROM eventlite.deleted_streams WHERE stream = $1', [stream]);
    const data = { store: await pgStoreId(client), stream, version: deleted.version };
    return appendPgAudit(client, head, AUDIT_TYPES.streamRestored, data, options);
  });
  return { audit };
}

/** Every event of `stream` in position order, tallied for the audit event. */
async function tallyStream(client: pg.ClientBase, stream: string): Promise<AffectedEvents> {
  const affected = new AffectedEvents();
  for (let after = 0; ;) {
    const { rows } = await client.query<EventArrayRow>({
      text: `SELECT ${EVENT_COLUMNS} FROM eventlite.events
             WHERE stream = $1 AND version > $2 ORDER BY version LIMIT 2000`,
      values: [stream, after],
      rowMode: 'array',
    });
    for (const row of rows) {
      const event = eventFromArray(row);
      affected.add(event, eventJsonLine(event));
    }
    if (rows.length < 2000) return affected;
    after = rows[rows.length - 1]![2];
  }
}
