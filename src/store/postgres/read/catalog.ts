import pg from 'pg';
import { SetupFailure } from '../../../core/ports.js';
import { sqlFor, type DialectSql } from '../../../core/dialect.js';
import { quote } from './connection.js';
import type { OwnedObject } from './registry.js';

// What a projection's setup and views created, found in PostgreSQL's catalog: users write plain
// CREATE statements and eventlite still knows which objects belong to which projection.
// Functions are named with their argument types (`f(integer)`), as DROP ROUTINE wants them;
// triggers as `trigger on table` (they go with their table, so they are listed, never dropped).

const OBJECTS_SQL = `
  WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1)
  SELECT c.relname::text AS name,
         CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
           WHEN 'i' THEN 'index' WHEN 'I' THEN 'index' WHEN 'S' THEN 'sequence'
           WHEN 'f' THEN 'foreign table' ELSE 'table' END AS type
  FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'I', 'S', 'f')
  UNION ALL
  SELECT format('%s on %s', t.tgname, c.relname), 'trigger'
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
  WHERE c.relnamespace = (SELECT oid FROM ns) AND NOT t.tgisinternal
  UNION ALL
  SELECT format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid)),
         CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END
  FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT t.typname::text, CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END
  FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
  WHERE t.typnamespace = (SELECT oid FROM ns) AND t.typtype IN ('c', 'd', 'e', 'r')
    AND (t.typrelid = 0 OR c.relkind = 'c')`;

/** Every object in `schema` that a setup can create (eventlite's bookkeeping included). */
export async function schemaObjects(client: pg.ClientBase, schema: string): Promise<OwnedObject[]> {
  return (await client.query<OwnedObject>(OBJECTS_SQL, [schema])).rows;
}

/**
 * Runs a projection's SQL in PostgreSQL's dialect, in order (each entry may hold several
 * statements, as SQLite's exec allows).
 */
export async function runScript(
  client: pg.ClientBase,
  script: readonly DialectSql[],
): Promise<void> {
  for (const sql of script) {
    const text = sqlFor(sql, 'postgres');
    try {
      await client.query(text);
    } catch (error) {
      throw setupFailureOf(error, text);
    }
  }
}

/**
 * A statement's own error (syntax, a missing table: SQLSTATE classes 0A, 22, 23, 42) is the
 * projection's SetupFailure; anything else (the server going away, a full disk, a lock
 * timeout) passes through for the caller to translate.
 */
function setupFailureOf(error: unknown, statement: string): unknown {
  if (!(error instanceof pg.DatabaseError)) return error;
  const sqlClass = (error.code ?? '').slice(0, 2);
  return ['0A', '22', '23', '42'].includes(sqlClass) ? new SetupFailure(statement, error) : error;
}

/** Runs `work` (setup, views, a move) and returns the objects it added to `schema`. */
export async function createdObjects(
  client: pg.ClientBase,
  schema: string,
  work: () => Promise<void>,
): Promise<OwnedObject[]> {
  const before = new Set((await schemaObjects(client, schema)).map(key));
  await work();
  return (await schemaObjects(client, schema)).filter((object) => !before.has(key(object)));
}

function key(object: OwnedObject): string {
  return `${object.type}\n${object.name}`;
}

// Dependants first: a view before the tables it reads, a table before the types its columns use.
// Objects of one kind go in one statement, so that dependencies among them are no obstacle.
const DROP_ORDER: [type: string, drop: string][] = [
  ['view', 'VIEW'],
  ['materialized view', 'MATERIALIZED VIEW'],
  ['foreign table', 'FOREIGN TABLE'],
  ['table', 'TABLE'],
  ['index', 'INDEX'],
  ['sequence', 'SEQUENCE'],
  ['aggregate', 'AGGREGATE'],
  ['function', 'ROUTINE'],
  ['procedure', 'ROUTINE'],
  ['domain', 'DOMAIN'],
  ['type', 'TYPE'],
];

/**
 * Drops a projection's objects from `schema` (quoted), without CASCADE: an object of another
 * projection that depends on them makes the drop fail rather than vanish with them.
 */
export async function dropObjects(
  client: pg.ClientBase,
  s: string,
  objects: readonly OwnedObject[],
): Promise<void> {
  for (const [type, drop] of DROP_ORDER) {
    const names = objects
      .filter((object) => object.type === type)
      .map((object) => `${s}.${isRoutine(type) ? object.name : quote(object.name)}`);
    if (names.length > 0) await client.query(`DROP ${drop} IF EXISTS ${names.join(', ')}`);
  }
}

function isRoutine(type: string): boolean {
  return type === 'function' || type === 'procedure' || type === 'aggregate';
}

const MOVABLE_SQL = `
  WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1)
  SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
           WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS alter,
         quote_ident(c.relname) AS name
  FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    -- a serial column's sequence moves with its table, and may not move alone
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
  UNION ALL
  SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
         format('%I(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, quote_ident(t.typname)
  FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
  WHERE t.typnamespace = (SELECT oid FROM ns) AND t.typtype IN ('c', 'd', 'e', 'r')
    AND (t.typrelid = 0 OR c.relkind = 'c')`;

/**
 * Moves everything a setup made in schema `from` into schema `to` (names unquoted). Indexes,
 * constraints, triggers and serial sequences go along with their tables; references between
 * objects are by identity, so they survive the move. `from` is then empty and is dropped
 * without CASCADE: anything left behind that a moved object needs stops the swap instead of
 * being cut away from it.
 */
export async function moveSchemaContents(
  client: pg.ClientBase,
  from: string,
  to: string,
): Promise<void> {
  const objects = await client.query<{ alter: string; name: string }>(MOVABLE_SQL, [from]);
  for (const object of objects.rows) {
    await client.query(
      `ALTER ${object.alter} ${quote(from)}.${object.name} SET SCHEMA ${quote(to)}`,
    );
  }
  await client.query(`DROP SCHEMA ${quote(from)}`);
}
