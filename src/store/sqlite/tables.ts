import type { ReadTable } from '../../core/ports.js';
import { readObjectOwners } from './bookkeeping.js';
import { quoteIdentifier } from './objects.js';
import { hasProjectionTables } from './read-schema.js';
import type { Db } from './statements.js';

/**
 * The tables and views of the read database with their row counts and owning projection.
 * eventlite's bookkeeping is left out, and so is the store's `events` table when the read
 * database is the store file itself.
 */
export function readTables(db: Db, path: string, isStore: boolean): ReadTable[] {
  const owners = hasProjectionTables(db, path) ? readObjectOwners(db) : new Map<string, string>();
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
