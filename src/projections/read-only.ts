import { existsSync } from 'node:fs';
import { openReadOnlyDatabase, withStoreErrors, type Db } from '../store/index.js';
import { noReadDatabase } from './read-schema.js';

/** A read-only connection to the read database, for queries, `tables`, `wait` and listings. */
export function openReadOnly(path: string): Db {
  if (!existsSync(path)) throw noReadDatabase(path);
  return openReadOnlyDatabase(path);
}

/** Opens the read database read-only if it exists, else undefined. */
export function openReadOnlyIfExists(path: string): Db | undefined {
  return existsSync(path) ? openReadOnly(path) : undefined;
}

/**
 * True once a runner has set projections up in this file. Its SQLite errors name this file:
 * callers often hold the store too, and a damaged read database must not be blamed on it.
 */
export function hasProjectionTables(db: Db): boolean {
  return withStoreErrors(
    db.name,
    () =>
      db
        .prepare(
          `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'eventlite_projections'`,
        )
        .get() !== undefined,
  );
}
