import type pg from 'pg';
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
import { streamVersionOn } from './read.js';

// What an import must respect of the lifecycle commands (docs/lifecycle.md): a stream deleted
// here takes no imported events (those of one deleted for good are left out, so an older
// export never brings them back); a key forgotten here is never brought back; and the
// deletions an imported audit event records are followed here too.

export class PgImportLifecycle {
  readonly #deleted = new Map<string, DeletedStream>();
  leftOut = 0;
  keys = 0;
  forgottenKeys = 0;

  private constructor(private readonly client: pg.ClientBase) {}

  static async load(client: pg.ClientBase): Promise<PgImportLifecycle> {
    const lifecycle = new PgImportLifecycle(client);
    const { rows } = await client.query<[string, boolean, number, string]>({
      name: 'eventlite.deletedStreams',
      text: 'SELECT stream, hard, version, position FROM eventlite.deleted_streams',
      rowMode: 'array',
    });
    for (const [stream, hard, version, position] of rows) {
      lifecycle.#deleted.set(stream, { hard, version, position: Number(position) });
    }
    return lifecycle;
  }

  /** See admitImported; `storedStream` is the stream the event's id is stored in, if any. */
  admit(event: ImportedEvent, storedStream: string | undefined): 'insert' | 'deleted' | 'stored' {
    if (this.#deleted.size === 0) return 'insert';
    const admitted = admitImported(
      event,
      this.#deleted.get(event.stream),
      () => storedStream === event.stream,
    );
    if (admitted === 'deleted') this.leftOut += 1;
    return admitted;
  }

  /** After `event` was inserted at `position`: follow the deletion it records, if any. */
  async inserted(event: ImportedEvent, position: number): Promise<void> {
    const deletion = importedDeletion(event);
    if (!deletion) return;
    const { stream } = deletion;
    if (deletion.change === 'restored') {
      if (this.#deleted.get(stream)?.hard === false) {
        await this.client.query('DELETE FROM eventlite.deleted_streams WHERE stream = $1', [
          stream,
        ]);
        this.#deleted.delete(stream);
      }
      return;
    }
    const version = await streamVersionOn(this.client, stream);
    if (!followsImportedDeletion(deletion, version, this.#deleted.has(stream))) return;
    const hard = deletion.change === 'hard';
    await this.client.query(
      `INSERT INTO eventlite.deleted_streams (stream, hard, version, position, deleted_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [stream, hard, version, position, event.recordedAt],
    );
    this.#deleted.set(stream, { hard, version, position });
  }

  async addKeys(keys: readonly SubjectKey[]): Promise<void> {
    for (const key of keys) {
      const { rows } = await this.client.query<[boolean, Buffer | null]>({
        text: `SELECT EXISTS (SELECT 1 FROM eventlite.forgotten_keys WHERE key_id = $1),
                      (SELECT key FROM eventlite.keys WHERE key_id = $1)`,
        values: [key.keyId],
        rowMode: 'array',
      });
      const [forgotten, stored] = rows[0]!;
      const admitted = admitImportedKey(key, forgotten, stored ?? undefined);
      if (admitted === 'forgotten') this.forgottenKeys += 1;
      if (admitted !== 'insert') continue;
      await this.client.query(
        'INSERT INTO eventlite.keys (key_id, subject, key, created_at) VALUES ($1, $2, $3, $4)',
        [key.keyId, key.subject, Buffer.from(key.key), new Date().toISOString()],
      );
      this.keys += 1;
    }
  }

  /** The counts an ImportSummary carries, each only when not zero. */
  summary(): { leftOut?: number; keys?: number; forgottenKeys?: number } {
    const { leftOut, keys, forgottenKeys } = this;
    return importLifecycleCounts({ leftOut, keys, forgottenKeys });
  }
}
