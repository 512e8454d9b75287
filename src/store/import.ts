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
      const version = currentVersion(event.stream) + 1;
      try {
        sql.importEvent.run(
          event.id,
          event.stream,
          version,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          event.recordedAt,
        );
      } catch (error) {
        // Insert first and look only when the id clashes: nearly every imported event is new.
        // The failed statement is undone whole, its AUTOINCREMENT step included (an
        // ON CONFLICT DO NOTHING would keep that step and leave a gap in the positions).
        if (!isEventIdClash(error)) throw error;
        const storedIn = sql.streamOfEventId.get(event.id) as string;
        if (storedIn !== event.stream) {
          throw new DuplicateEventIdError(event.id, event.stream, storedIn);
        }
        skipped += 1;
        return;
      }
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

function isEventIdClash(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === 'SQLITE_CONSTRAINT_UNIQUE' && message === 'UNIQUE constraint failed: events.id';
}
