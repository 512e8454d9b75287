import type { ReadColumn, ReadTable } from '../../../core/ports.js';
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

/**
 * The columns of the same tables and views, in order (generated columns too, a virtual
 * table's hidden ones not). An INTEGER PRIMARY KEY is the rowid: never NULL, though SQLite
 * does not mark it NOT NULL; any other primary key of SQLite's takes NULL unless marked.
 */
export function readColumns(db: Db, isStore: boolean): ReadColumn[] {
  const describe = db.prepare(
    `SELECT name, type, "notnull" AS "notNull", pk FROM pragma_table_xinfo(?) WHERE hidden != 1 ORDER BY cid`,
  );
  return userObjects(db, isStore).flatMap(({ name: table }) =>
    (describe.all(table) as { name: string; type: string; notNull: number; pk: number }[]).map(
      (column) => ({
        table,
        column: column.name,
        type: column.type,
        nullable: column.notNull === 0 && !(column.pk > 0 && /^integer$/i.test(column.type)),
      }),
    ),
  );
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
