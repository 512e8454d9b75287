import { DuplicateEventIdError } from '../../core/errors.js';
import { contentDifference, type StoredContent } from '../../core/exported-event.js';
import type { ImportedEvent, ImportSummary } from '../../core/ports.js';
import { isLifecycleChangedCopy } from '../../core/redaction.js';
import type { SubjectKey } from '../../core/sealing.js';
import { ImportLifecycle } from './import-lifecycle.js';
import { type Db, pluck, prepared, STORE_SQL } from './statements.js';

/**
 * A whole import as one write transaction, fed a batch at a time so that the input can be
 * streamed. A manual BEGIN rather than db.transaction(): the caller awaits input between
 * batches. Holds the write lock from `beginImport` until commit or rollback.
 */
export interface SqliteImportSession {
  add(events: readonly ImportedEvent[]): void;
  addKeys(keys: readonly SubjectKey[]): void;
  commit(): ImportSummary;
  rollback(): void;
}

export function beginImport(db: Db): SqliteImportSession {
  const insert = prepared(db, STORE_SQL.insertEvent);
  db.exec('BEGIN IMMEDIATE');
  let lifecycle: ImportLifecycle;
  try {
    lifecycle = new ImportLifecycle(db);
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  const versions = new Map<string, number>();
  let imported = 0;
  let skipped = 0;

  function currentVersion(stream: string): number {
    let version = versions.get(stream);
    if (version === undefined) {
      // Bounded: an import over millions of streams must not grow this map without end.
      if (versions.size >= 100_000) versions.clear();
      version = pluck<number | null>(db, STORE_SQL.streamVersion, stream) ?? 0;
    }
    return version;
  }

  function addOne(event: ImportedEvent): void {
    // 'stored' (a retry into a hidden stream) clashes below and has its content checked.
    if (lifecycle.admit(event) === 'deleted') return;
    const version = currentVersion(event.stream) + 1;
    const dataJson = JSON.stringify(event.data);
    const metadataJson = JSON.stringify(event.metadata);
    let position: number;
    try {
      position = Number(
        insert.run(
          event.id,
          event.stream,
          version,
          event.type,
          dataJson,
          metadataJson,
          event.recordedAt,
          event.schemaVersion ?? 1,
        ).lastInsertRowid,
      );
    } catch (error) {
      // Insert first and look only when the id clashes: nearly every imported event is new.
      // The failed statement is undone whole, its AUTOINCREMENT step included (an
      // ON CONFLICT DO NOTHING would keep that step and leave a gap in the positions).
      if (!isEventIdClash(error)) throw error;
      const stored = storedContent(event.id);
      if (stored.stream !== event.stream) {
        throw new DuplicateEventIdError(event.id, event.stream, stored.stream);
      }
      const differs = contentDifference(event, stored, { dataJson, metadataJson });
      // An earlier copy of an event redacted or forgotten here since is the same event.
      const changedHere =
        differs === 'data differs' && isLifecycleChangedCopy(dataJson, stored.dataJson);
      if (differs !== undefined && !changedHere) {
        throw new DuplicateEventIdError(event.id, event.stream, stored.stream, differs);
      }
      skipped += 1;
      return;
    }
    versions.set(event.stream, version);
    imported += 1;
    lifecycle.inserted(event, position, event.recordedAt);
  }

  function storedContent(id: string): StoredContent {
    const row = prepared(db, STORE_SQL.storedContent).get(id) as {
      stream: string;
      type: string;
      schema_version: number;
      data: string;
      metadata: string;
      recorded_at: string;
    };
    return {
      stream: row.stream,
      type: row.type,
      schemaVersion: row.schema_version,
      dataJson: row.data,
      metadataJson: row.metadata,
      recordedAt: row.recorded_at,
    };
  }

  return {
    add(events) {
      for (const event of events) addOne(event);
    },
    addKeys(keys) {
      lifecycle.addKeys(keys);
    },
    commit() {
      db.exec('COMMIT');
      const head = pluck<number>(db, STORE_SQL.head);
      return { imported, skipped, head, ...lifecycle.summary() };
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
