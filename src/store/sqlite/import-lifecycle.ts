import {
  admitImported,
  admitImportedKey,
  followsImportedDeletion,
  importedDeletion,
  importLifecycleCounts,
  type DeletedStream,
} from '../../core/lifecycle.js';
import type { ImportedEvent } from '../../core/ports.js';
import type { SubjectKey } from '../../core/sealing.js';
import { type Db, pluck, prepared, STORE_SQL } from './statements.js';

// What an import must respect of the lifecycle commands (docs/lifecycle.md): a stream deleted
// here takes no imported events (those of one deleted for good are left out, so an older
// export never brings them back); a key forgotten here is never brought back; and the
// deletions an imported audit event records are followed here too.

export class ImportLifecycle {
  readonly #deleted = new Map<string, DeletedStream>();
  leftOut = 0;
  keys = 0;
  forgottenKeys = 0;

  constructor(private readonly db: Db) {
    const rows = prepared(
      db,
      'SELECT stream, hard, version, position FROM eventlite_deleted_streams',
    ).all() as { stream: string; hard: number; version: number; position: number }[];
    for (const row of rows) {
      this.#deleted.set(row.stream, {
        hard: row.hard === 1,
        version: row.version,
        position: row.position,
      });
    }
  }

  /**
   * 'insert' for an event to import as usual; 'deleted' for one of a stream deleted for good
   * here (left out, and counted); 'stored' for a retry of one stored in a hidden stream.
   * Throws for a new event of a hidden stream: restore it first.
   */
  admit(event: ImportedEvent): 'insert' | 'deleted' | 'stored' {
    if (this.#deleted.size === 0) return 'insert';
    const admitted = admitImported(
      event,
      this.#deleted.get(event.stream),
      () =>
        pluck<string | undefined>(this.db, STORE_SQL.streamOfEventId, event.id) === event.stream,
    );
    if (admitted === 'deleted') this.leftOut += 1;
    return admitted;
  }

  /** After `event` was inserted at `position`: follow the deletion it records, if any. */
  inserted(event: ImportedEvent, position: number, recordedAt: string): void {
    const deletion = importedDeletion(event);
    if (!deletion) return;
    const { stream } = deletion;
    if (deletion.change === 'restored') {
      if (this.#deleted.get(stream)?.hard === false) {
        prepared(this.db, 'DELETE FROM eventlite_deleted_streams WHERE stream = ?').run(stream);
        this.#deleted.delete(stream);
      }
      return;
    }
    const version = pluck<number | null>(this.db, STORE_SQL.streamVersion, stream) ?? 0;
    if (!followsImportedDeletion(deletion, version, this.#deleted.has(stream))) return;
    const hard = deletion.change === 'hard';
    prepared(
      this.db,
      `INSERT INTO eventlite_deleted_streams (stream, hard, version, position, deleted_at)
       VALUES (?, ?, ?, ?, ?)`,
    ).run(stream, hard ? 1 : 0, version, position, recordedAt);
    this.#deleted.set(stream, { hard, version, position });
  }

  addKeys(keys: readonly SubjectKey[]): void {
    for (const key of keys) {
      const admitted = admitImportedKey(
        key,
        pluck(this.db, 'SELECT 1 FROM eventlite_forgotten_keys WHERE key_id = ?', key.keyId) !==
          undefined,
        pluck<Buffer | undefined>(
          this.db,
          'SELECT key FROM eventlite_keys WHERE key_id = ?',
          key.keyId,
        ),
      );
      if (admitted === 'forgotten') this.forgottenKeys += 1;
      if (admitted !== 'insert') continue;
      prepared(
        this.db,
        'INSERT INTO eventlite_keys (key_id, subject, key, created_at) VALUES (?, ?, ?, ?)',
      ).run(key.keyId, key.subject, Buffer.from(key.key), new Date().toISOString());
      this.keys += 1;
    }
  }

  /** The counts an ImportSummary carries, each only when not zero. */
  summary(): { leftOut?: number; keys?: number; forgottenKeys?: number } {
    const { leftOut, keys, forgottenKeys } = this;
    return importLifecycleCounts({ leftOut, keys, forgottenKeys });
  }
}
