import type { ReadTable } from '../../../core/ports.js';
import { readObjectOwners } from './registry.js';
import { MATERIALIZED_VIEW } from './matviews.js';
import { quoteIdentifier } from './catalog.js';
import { hasProjectionTables } from './schema.js';
import type { Db } from '../statements.js';

/**
 * The tables and views of the read database with their row counts and owning projection.
 * eventlite's bookkeeping is left out, and so is the store's `events` table when the read
 * database is the store file itself. A materialized view is a table to SQLite; the bookkeeping
 * says what it is.
 */
export function readTables(db: Db, path: string, isStore: boolean): ReadTable[] {
  const owners = hasProjectionTables(db, path) ? readObjectOwners(db) : new Map();
  return userObjects(db, isStore).map(({ name, type }) => {
    const owner = owners.get(name);
    return {
      name,
      type: type === 'table' && owner?.type === MATERIALIZED_VIEW ? MATERIALIZED_VIEW : type,
      rows: db
        .prepare(`SELECT count(*) FROM ${quoteIdentifier(name)}`)
        .pluck()
        .get() as number,
      projection: owner?.projection ?? null,
    };
  });
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
