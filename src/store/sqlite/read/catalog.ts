import { sqlFor, type DialectSql } from '../../../core/dialect.js';
import { SetupFailure, type ProjectionSchema } from '../../../core/ports.js';
import type { OwnedObject } from './registry.js';
import { translateSqliteError } from '../errors.js';
import { createMaterializedViews, markMaterializedViews } from './matviews.js';
import { quoteIdentifier, type Db } from '../statements.js';

export { quoteIdentifier };

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
 * Runs a projection's setup, makes its materialized views, runs its views, and returns the
 * objects they created: found by comparing the schema before and after, so users write plain
 * `CREATE` statements and eventlite still knows which tables belong to which projection (for
 * `tables` and rebuilds).
 */
export function createProjectionObjects(db: Db, projection: ProjectionSchema): OwnedObject[] {
  const before = new Set(schemaObjects(db).map((object) => object.name));
  runScript(db, projection.setup);
  createMaterializedViews(db, projection.materializedViews ?? []);
  runScript(db, projection.views);
  const created = schemaObjects(db)
    .filter((object) => !before.has(object.name))
    .map(({ name, type }) => ({ name, type }));
  return markMaterializedViews(created, projection.materializedViews);
}

/**
 * Runs a projection's SQL in SQLite's dialect, each entry possibly several statements. An
 * entry that fails is the projection's SetupFailure, naming it, unless SQLite says the
 * trouble is the machine's (busy, full, damaged): that passes through for the caller to
 * translate.
 */
export function runScript(db: Db, script: readonly DialectSql[]): void {
  for (const sql of script) {
    const text = sqlFor(sql, 'sqlite');
    try {
      db.exec(text);
    } catch (error) {
      if (translateSqliteError(error, '') !== error) throw error;
      throw new SetupFailure(text, error);
    }
  }
}

/** Drops objects, views first: a view over a dropped table would be left broken. */
export function dropProjectionObjects(db: Db, objects: readonly OwnedObject[]): void {
  const order = ['view', 'trigger', 'index', 'table'];
  // A materialized view is a table here.
  const typeOf = (object: OwnedObject) =>
    object.type === 'materialized view' ? 'table' : object.type;
  // A virtual table (FTS5, R*Tree) drops its shadow tables itself, and SQLite refuses to drop
  // a shadow table on its own: so virtual tables go first, and shadow tables are skipped.
  const kinds = tableKinds(db);
  const rank = (object: OwnedObject) =>
    order.indexOf(typeOf(object)) - (kinds.get(object.name) === 'virtual' ? 0.5 : 0);
  const sorted = [...objects].sort((a, b) => rank(a) - rank(b));
  for (const object of sorted) {
    const type = typeOf(object);
    if (!order.includes(type) || kinds.get(object.name) === 'shadow') continue;
    db.exec(`DROP ${type.toUpperCase()} IF EXISTS ${quoteIdentifier(object.name)}`);
  }
}

/** 'table', 'view', 'virtual' or 'shadow' (a virtual table's own storage), by name. */
export function tableKinds(db: Db, schema = 'main'): Map<string, string> {
  const rows = db
    .prepare(`SELECT name, type FROM pragma_table_list WHERE schema = ?`)
    .all(schema) as { name: string; type: string }[];
  return new Map(rows.map(({ name, type }) => [name, type]));
}
