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
import {
  appendAudit,
  deletedStreamOf,
  deleteSnapshots,
  purgeWal,
  storeIdOf,
  withPermit,
} from './lifecycle.js';
import { type EventArray, eventFromArray } from './read.js';
import { type Db, EVENT_COLUMNS, prepared, pluck, preparedRaw, STORE_SQL } from './statements.js';

/**
 * `streams delete`: soft hides the stream (its events stay), hard removes its events; either
 * way in one transaction with its snapshots gone, the stream marked deleted and the audit event
 * appended. A hard delete then empties the WAL (see purgeWal).
 */
export function deleteStream(
  db: Db,
  location: string,
  stream: string,
  options: LifecycleOptions & { hard: boolean },
): LifecycleResult {
  validateName('stream', stream);
  refuseSystemStream(stream, 'cannot be deleted');
  const audit = db
    .transaction(() => {
      const deleted = deletedStreamOf(db, stream);
      if (deleted && (deleted.hard || !options.hard)) throw new StreamDeletedError(stream, deleted);
      const version = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
      if (version === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
      const data: StreamDeletedData = { store: storeIdOf(db), stream, hard: options.hard, version };
      if (options.hard) {
        Object.assign(data, tallyStream(db, stream).summary(stream));
        withPermit(db, 'streams delete --hard', () =>
          prepared(db, 'DELETE FROM events WHERE stream = ?').run(stream),
        );
      }
      const event = appendAudit(db, AUDIT_TYPES.streamDeleted, data, options);
      prepared(
        db,
        `INSERT INTO eventlite_deleted_streams (stream, hard, version, position, deleted_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET hard = excluded.hard, version = excluded.version,
           position = excluded.position,
           deleted_at = excluded.deleted_at`,
      ).run(stream, options.hard ? 1 : 0, version, event.position, event.recordedAt);
      deleteSnapshots(db, [stream]);
      return event;
    })
    .immediate();
  return { audit, purgeWarning: options.hard ? purgeWal(db, location) : undefined };
}

/** `streams restore`: a soft-deleted stream is back as it was, audited. */
export function restoreStream(db: Db, stream: string, options: LifecycleOptions): LifecycleResult {
  validateName('stream', stream);
  const audit = db
    .transaction(() => {
      const deleted = deletedStreamOf(db, stream);
      if (deleted?.hard) throw new StreamDeletedError(stream, deleted);
      if (!deleted) {
        const version = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
        if (version === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
        throw new InputError(`stream "${stream}" is not deleted; nothing to restore`);
      }
      prepared(db, 'DELETE FROM eventlite_deleted_streams WHERE stream = ?').run(stream);
      const data = { store: storeIdOf(db), stream, version: deleted.version };
      return appendAudit(db, AUDIT_TYPES.streamRestored, data, options);
    })
    .immediate();
  return { audit };
}

/** Every event of `stream` in position order, tallied for the audit event. */
function tallyStream(db: Db, stream: string): AffectedEvents {
  const affected = new AffectedEvents();
  const page = preparedRaw(
    db,
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND version > ? ORDER BY version LIMIT 2000`,
  );
  for (let after = 0; ;) {
    const rows = page.all(stream, after) as EventArray[];
    for (const row of rows) {
      const event = eventFromArray(row);
      affected.add(event, eventJsonLine(event));
    }
    if (rows.length < 2000) return affected;
    after = rows[rows.length - 1]![2];
  }
}
