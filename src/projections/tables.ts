import { withStoreErrors, type Db } from '../store/index.js';
import { quoteIdentifier } from './objects.js';
import { hasProjectionTables, openReadOnly } from './read-only.js';
import { readObjectOwners } from './registry.js';

export type ReadTable = {
  name: string;
  type: 'table' | 'view';
  rows: number;
  projection: string | null;
};

/**
 * The tables and views of the read database with their row counts and owning projection.
 * eventlite's bookkeeping is left out, and so is the store's `events` table when the read
 * database is the store file itself.
 */
export function listReadTables(readDbPath: string, options: { isStore: boolean }): ReadTable[] {
  const db = openReadOnly(readDbPath);
  try {
    return withStoreErrors(readDbPath, () => readTables(db, options.isStore));
  } finally {
    db.close();
  }
}

function readTables(db: Db, isStore: boolean): ReadTable[] {
  const owners = hasProjectionTables(db) ? readObjectOwners(db) : new Map<string, string>();
  return userObjects(db, isStore).map(({ name, type }) => ({
    name,
    type,
    rows: db
      .prepare(`SELECT count(*) FROM ${quoteIdentifier(name)}`)
      .pluck()
      .get() as number,
    projection: owners.get(name) ?? null,
  }));
}

function userObjects(db: Db, isStore: boolean): { name: string; type: 'table' | 'view' }[] {
  return db
    .prepare(
      `SELECT name, type FROM sqlite_schema
       WHERE type IN ('table', 'view')
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name NOT LIKE 'eventlite\\_%' ESCAPE '\\'
         AND NOT (:isStore AND name = 'events')
       ORDER BY name`,
    )
    .all({ isStore: isStore ? 1 : 0 }) as { name: string; type: 'table' | 'view' }[];
}
