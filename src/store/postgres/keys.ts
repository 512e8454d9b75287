import type pg from 'pg';
import { validateName } from '../../core/input.js';
import type { SubjectKey } from '../../core/sealing.js';
import { newSubjectKey } from '../crypto.js';
import { keyIdsInRows, openRows } from '../sealed-rows.js';
import type { PgTarget } from './connection.js';
import { inTransaction } from './transaction.js';

// Subjects' keys for sealed personal fields (docs/lifecycle.md): made here, at the edge, from
// the operating system's randomness; deleted only by `forget`.

type KeyArray = [string, string, Buffer];

const toKey = ([keyId, subject, key]: KeyArray): SubjectKey => ({ keyId, subject, key });

/**
 * Each subject's key, made for those without one. Racing writers may each make one for a new
 * subject: both keys work (an envelope names its key), and `forget` deletes every one.
 */
export async function subjectPgKeys(
  pool: pg.Pool,
  target: PgTarget,
  subjects: readonly string[],
  createdAt: string,
): Promise<Map<string, SubjectKey>> {
  for (const subject of subjects) validateName('subject', subject);
  return inTransaction(pool, target, async (client) => {
    const keys = new Map<string, SubjectKey>();
    for (const subject of new Set(subjects)) {
      const { rows } = await client.query<KeyArray>({
        name: 'eventlite.keyOfSubject',
        text: `SELECT key_id, subject, key FROM eventlite.keys
               WHERE subject = $1 ORDER BY created_at, key_id LIMIT 1`,
        values: [subject],
        rowMode: 'array',
      });
      let key = rows[0] && toKey(rows[0]);
      if (!key) {
        key = newSubjectKey(subject);
        await client.query({
          name: 'eventlite.insertKey',
          text: 'INSERT INTO eventlite.keys (key_id, subject, key, created_at) VALUES ($1, $2, $3, $4)',
          values: [key.keyId, subject, key.key, createdAt],
        });
      }
      keys.set(subject, key);
    }
    return keys;
  });
}

export async function readPgKeys(
  client: pg.ClientBase | pg.Pool,
  keyIds: readonly string[],
): Promise<SubjectKey[]> {
  if (keyIds.length === 0) return [];
  const { rows } = await client.query<KeyArray>({
    name: 'eventlite.keysById',
    text: 'SELECT key_id, subject, key FROM eventlite.keys WHERE key_id = ANY($1::text[])',
    values: [keyIds],
    rowMode: 'array',
  });
  return rows.map(toKey);
}

/** Opens the sealed fields in the `dataIndex` column of `rows`, in place. */
export async function openSealedPgRows(
  client: pg.ClientBase | pg.Pool,
  rows: unknown[][],
  dataIndex: number,
): Promise<void> {
  const ids = keyIdsInRows(rows, dataIndex);
  if (!ids) return;
  const keys = new Map((await readPgKeys(client, [...ids])).map((key) => [key.keyId, key.key]));
  openRows(rows, dataIndex, keys);
}
