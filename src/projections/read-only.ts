import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DEFAULT_BUSY_TIMEOUT_MS, withStoreErrors, type Db } from '../store/index.js';
import { noReadDatabase } from './read-schema.js';

/**
 * A read-only connection to the read database, for queries, `tables`, `wait` and listings:
 * SQLite itself then refuses any write, whatever the statement checks upstream let through,
 * and the file is never created or migrated by merely looking at it.
 */
export function openReadOnly(path: string): Db {
  if (!existsSync(path)) throw noReadDatabase(path);
  return withStoreErrors(path, () => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
      db.pragma('query_only = ON');
      // Touches the header: a file that is not SQLite fails here, not in the first query.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/** Opens the read database read-only if it exists, else undefined. */
export function openReadOnlyIfExists(path: string): Db | undefined {
  return existsSync(path) ? openReadOnly(path) : undefined;
}

/** True once a runner has set projections up in this file. */
export function hasProjectionTables(db: Db): boolean {
  return (
    db
      .prepare(
        `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'eventlite_projections'`,
      )
      .get() !== undefined
  );
}
