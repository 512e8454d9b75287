import type { ProjectionSchema } from '../../core/ports.js';
import type { OwnedObject } from './bookkeeping.js';
import type { Db } from './statements.js';

/** Named objects in a schema of `db` ('main' or an attached one), SQLite's own left out. */
export function schemaObjects(db: Db, schema = 'main'): OwnedObject[] {
  return db
    .prepare(
      `SELECT name, type, sql FROM ${quoteIdentifier(schema)}.sqlite_schema
       WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`,
    )
    .all() as (OwnedObject & { sql: string | null })[];
}

/**
 * Runs a projection's setup and views, and returns the objects they created: found by
 * comparing the schema before and after, so users write plain `CREATE` statements and
 * eventlite still knows which tables belong to which projection (for `tables` and rebuilds).
 */
export function createProjectionObjects(db: Db, projection: ProjectionSchema): OwnedObject[] {
  const before = new Set(schemaObjects(db).map((object) => object.name));
  for (const sql of projection.setup) db.exec(sql);
  for (const sql of projection.views) db.exec(sql);
  return schemaObjects(db)
    .filter((object) => !before.has(object.name))
    .map(({ name, type }) => ({ name, type }));
}

/** Drops objects, views first: a view over a dropped table would be left broken. */
export function dropProjectionObjects(db: Db, objects: readonly OwnedObject[]): void {
  const order = ['view', 'trigger', 'index', 'table'];
  const sorted = [...objects].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  for (const object of sorted) {
    if (!order.includes(object.type)) continue;
    db.exec(`DROP ${object.type.toUpperCase()} IF EXISTS ${quoteIdentifier(object.name)}`);
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
