import type { JsonObject } from '../../core/events.js';
import {
  auditEvent,
  StreamDeletedError,
  SYSTEM_STREAM,
  type AuditType,
  type DeletedStream,
} from '../../core/lifecycle.js';
import type { LifecycleOptions } from '../../core/ports.js';
import { toRecordedAt } from '../../core/time-range.js';
import { storedEventFromRow, type StoredEvent } from '../../core/recorded-event.js';
import { newEventId } from '../ids.js';
import { type Db, pluck, prepared, STORE_SQL } from './statements.js';

// What the lifecycle commands (delete-stream.ts, redact.ts, forget.ts) share: the permit that
// lets their one transaction change events past the append-only triggers, the audit event,
// the bookkeeping of deleted streams and snapshots, and the checkpoint that takes what they
// removed out of the WAL.

/** Runs `work` holding the permit; the caller's transaction is what keeps it unseen. */
export function withPermit<T>(db: Db, command: string, work: () => T): T {
  prepared(db, 'INSERT INTO eventlite_lifecycle_permit (command) VALUES (?)').run(command);
  const result = work();
  prepared(db, 'DELETE FROM eventlite_lifecycle_permit').run();
  return result;
}

/** Appends the audit event to the system stream, inside the command's transaction. */
export function appendAudit(
  db: Db,
  type: AuditType,
  data: object,
  options: LifecycleOptions,
): StoredEvent {
  const event = auditEvent(type, data);
  const version = (pluck<number | null>(db, STORE_SQL.streamVersion, SYSTEM_STREAM) ?? 0) + 1;
  const row = {
    id: newEventId(),
    stream: SYSTEM_STREAM,
    version,
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify(event.metadata ?? {}),
    recordedAt: toRecordedAt(options.now?.() ?? new Date()),
    // Audit events have one shape: eventlite's own, version 1.
    schemaVersion: 1,
  };
  const position = Number(
    prepared(db, STORE_SQL.insertEvent).run(
      row.id,
      row.stream,
      row.version,
      row.type,
      row.data,
      row.metadata,
      row.recordedAt,
      row.schemaVersion,
    ).lastInsertRowid,
  );
  const { data: dataJson, metadata: metadataJson, ...fields } = row;
  return storedEventFromRow({ ...fields, position, dataJson, metadataJson });
}

/** A deleted stream takes no appends: checked under the append's write lock. */
export function refuseDeletedStream(db: Db, stream: string): void {
  const deleted = deletedStreamOf(db, stream);
  if (deleted) throw new StreamDeletedError(stream, deleted);
}

export function deletedStreamOf(db: Db, stream: string): DeletedStream | undefined {
  const row = prepared(
    db,
    'SELECT hard, version, position FROM eventlite_deleted_streams WHERE stream = ?',
  ).get(stream) as { hard: number; version: number; position: number } | undefined;
  return row && { hard: row.hard === 1, version: row.version, position: row.position };
}

/** Snapshots fold a stream's events: those of a changed stream must go with them. */
export function deleteSnapshots(db: Db, streams: Iterable<string>): void {
  const remove = prepared(db, 'DELETE FROM eventlite_snapshots WHERE stream = ?');
  for (const stream of streams) remove.run(stream);
}

export function storeIdOf(db: Db): string {
  return pluck<string>(db, STORE_SQL.storeId);
}

export function parseData(json: string): JsonObject {
  return JSON.parse(json) as JsonObject;
}

/**
 * Copies the WAL into the file and truncates it: with secure_delete, the pages the command
 * freed or rewrote reach the file zeroed, and the WAL's old copies of them are gone. A reader
 * holding an old snapshot can keep the WAL from being truncated (the busy timeout is waited
 * first): then the change stands, and the warning says the WAL still holds old pages.
 */
export function purgeWal(db: Db, location: string): string | undefined {
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  if (!result || result.busy === 0) return undefined;
  return `another connection kept ${location}-wal from being emptied; its old pages hold what was removed until the next checkpoint ("PRAGMA wal_checkpoint(TRUNCATE)" once no eventlite runs)`;
}
