import { rmSync } from 'node:fs';
import { filePath } from './open.js';

/**
 * Deletes a SQLite database of ours and its WAL companions. The caller has opened it first,
 * so a file that is not an eventlite database was refused before anything was deleted.
 */
export function removeSqliteDatabase(path: string, cwd: string): void {
  const file = filePath(path, cwd);
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${file}${suffix}`, { force: true });
}
