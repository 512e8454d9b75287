import { DuplicateEventIdError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import type { Db } from './open.js';
import { storeStatements } from './statements.js';

/** One event of an export: the contract's event shape (position and version are reassigned). */
export interface ImportedEvent {
  stream: string;
  type: string;
  id: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: string;
}

export interface ImportSummary {
  imported: number;
  /** Events whose id was already stored in the same stream: a re-import adds nothing. */
  skipped: number;
  head: number;
}

/**
 * A whole import as one write transaction, fed an event at a time so that the input can be
 * streamed: `add` each event, then `commit` (or `rollback` on any failure, which leaves the
 * store as it was). Holds the write lock from `beginImport` until the end.
 */
export interface ImportSession {
  add(event: ImportedEvent): void;
  commit(): ImportSummary;
  rollback(): void;
}

export function beginImport(db: Db): ImportSession {
  const sql = storeStatements(db);
  // A manual BEGIN rather than db.transaction(): the caller awaits input between adds.
  db.exec('BEGIN IMMEDIATE');
  const versions = new Map<string, number>();
  let imported = 0;
  let skipped = 0;

  function currentVersion(stream: string): number {
    let version = versions.get(stream);
    if (version === undefined) {
      // Bounded: an import over millions of streams must not grow this map without end.
      if (versions.size >= 100_000) versions.clear();
      version = (sql.streamVersion.get(stream) as number | null) ?? 0;
    }
    return version;
  }

  return {
    add(event) {
      const storedIn = sql.streamOfEventId.get(event.id) as string | undefined;
      if (storedIn !== undefined) {
        if (storedIn !== event.stream) {
          throw new DuplicateEventIdError(event.id, event.stream, storedIn);
        }
        skipped += 1;
        return;
      }
      const version = currentVersion(event.stream) + 1;
      sql.insertEvent.run({
        id: event.id,
        stream: event.stream,
        version,
        type: event.type,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        recordedAt: event.recordedAt,
      });
      versions.set(event.stream, version);
      imported += 1;
    },
    commit() {
      db.exec('COMMIT');
      return { imported, skipped, head: sql.head.get() as number };
    },
    rollback() {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
  };
}
