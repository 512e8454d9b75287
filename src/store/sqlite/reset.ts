import { rmSync } from 'node:fs';
import { StoreError } from '../../core/errors.js';
import { filePath, openReadOnlyDatabase } from './open.js';
import { READ_DB_APPLICATION_ID } from './read/schema.js';

/**
 * Refuses a read database file that eventlite did not make (its application_id says so), as
 * `projections run` refuses to write into one: `reset` deletes only what is eventlite's.
 */
export function checkSqliteReadDatabase(path: string, cwd: string): void {
  const db = openReadOnlyDatabase(path, cwd);
  try {
    if (db.pragma('application_id', { simple: true }) === READ_DB_APPLICATION_ID) return;
  } finally {
    db.close();
  }
  throw new StoreError(
    `${path} is a SQLite database but not an eventlite read database; reset deletes only eventlite's own (nothing was deleted)`,
  );
}

/**
 * Deletes a SQLite database of ours and its WAL companions. The caller has opened it first,
 * so a file that is not an eventlite database was refused before anything was deleted.
 */
export function removeSqliteDatabase(path: string, cwd: string): void {
  const file = filePath(path, cwd);
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${file}${suffix}`, { force: true });
}
