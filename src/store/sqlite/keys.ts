import { validateName } from '../../core/input.js';
import type { SubjectKey } from '../../core/sealing.js';
import { newSubjectKey } from '../crypto.js';
import { keyIdsInRows, openRows } from '../sealed-rows.js';
import { type Db, prepared } from './statements.js';

// Subjects' keys for sealed personal fields (docs/lifecycle.md): made here, at the edge, from
// the operating system's randomness; deleted only by `forget`.

interface KeyRow {
  keyId: string;
  subject: string;
  key: Buffer;
}

const KEY_OF_SUBJECT = `SELECT key_id AS keyId, subject, key FROM eventlite_keys
  WHERE subject = ? ORDER BY created_at, key_id LIMIT 1`;
const INSERT_KEY = `INSERT INTO eventlite_keys (key_id, subject, key, created_at) VALUES (?, ?, ?, ?)`;
const KEYS_BY_ID = `SELECT key_id AS keyId, subject, key FROM eventlite_keys
  WHERE key_id IN (SELECT value FROM json_each(?))`;

/** Each subject's key, made for those without one, in one write transaction. */
export function subjectKeys(
  db: Db,
  subjects: readonly string[],
  createdAt: string,
): Map<string, SubjectKey> {
  for (const subject of subjects) validateName('subject', subject);
  return db
    .transaction(() => {
      const keys = new Map<string, SubjectKey>();
      for (const subject of new Set(subjects)) {
        let row = prepared(db, KEY_OF_SUBJECT).get(subject) as KeyRow | undefined;
        if (!row) {
          row = newSubjectKey(subject) as KeyRow;
          prepared(db, INSERT_KEY).run(row.keyId, subject, row.key, createdAt);
        }
        keys.set(subject, row);
      }
      return keys;
    })
    .immediate();
}

export function readKeys(db: Db, keyIds: readonly string[]): SubjectKey[] {
  if (keyIds.length === 0) return [];
  return prepared(db, KEYS_BY_ID).all(JSON.stringify(keyIds)) as KeyRow[];
}

/** Opens the sealed fields in the `dataIndex` column of `rows`, in place. */
export function openSealedRows(db: Db, rows: unknown[][], dataIndex: number): void {
  const ids = keyIdsInRows(rows, dataIndex);
  if (!ids) return;
  const keys = new Map(readKeys(db, [...ids]).map((row) => [row.keyId, row.key]));
  openRows(rows, dataIndex, keys);
}
