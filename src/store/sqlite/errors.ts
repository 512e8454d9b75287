import { EventliteError, StoreBusyError, StoreError } from '../../core/errors.js';

interface SqliteLikeError {
  code?: unknown;
  message: string;
}

/**
 * Turns a better-sqlite3 SqliteError (one class, a string `code`) into our error family, so
 * nothing above the store needs to know SQLite's codes. Errors that are already ours pass
 * through; anything else is returned unchanged.
 */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (error instanceof EventliteError) return error;
  const code = (error as SqliteLikeError | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const message = (error as SqliteLikeError).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreBusyError(`${path} stayed locked by another process; try again`);
  }
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(`${path} is not a SQLite database`, { cause: error, damagedFile: path });
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`${path} is damaged: ${message}`, { cause: error, damagedFile: path });
  }
  if (code === 'SQLITE_FULL') {
    return new StoreError(`cannot write ${path}: the disk is full`, { cause: error });
  }
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    // In WAL mode even a reader needs the -wal and -shm files beside the database.
    const text = `cannot open ${path}: its folder is read-only, and SQLite must create ${path}-wal and -shm there`;
    return new StoreError(text, { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError(`cannot write ${path}: ${message}`, { cause: error });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError(`cannot open ${path}: ${message}`, { cause: error });
  }
  if (code === 'SQLITE_IOERR_SHMSIZE') {
    // The WAL index (-shm) could not grow: on a full disk SQLite reports this, not SQLITE_FULL.
    const text = `cannot write ${path}: no room to grow ${path}-shm; the disk may be full`;
    return new StoreError(text, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new StoreError(`I/O error on ${path}: ${message}`, { cause: error });
  }
  return error;
}

/** Runs `work`, translating SQLite errors for `path`. */
export function withStoreErrors<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw translateSqliteError(error, path);
  }
}
