import pg from 'pg';
import { StoreError } from '../../core/errors.js';
import { CONNECT_TIMEOUT_MS, describePostgresUrl, LOCK_TIMEOUT_MS } from './connection.js';
import { translatePgError } from './errors.js';
import { recordedLogins } from './read/query-login.js';
import { inLockedTransaction, migrateFrom } from './schema.js';

// `reset` on PostgreSQL touches eventlite's own objects only: its schemas (the store's
// `eventlite`, the read models'), with what they hold, and the query logins recorded in the
// read schema. One transaction per database: everything goes and the empty store is made
// again, or nothing changes. What lies outside and depends on them (a view over a read table,
// a foreign key to eventlite.events) is the user's: DROP … CASCADE would take it too, so the
// reset is refused and names it.

export interface ResetParts {
  /** The event store lives here: drop it and make it again, empty. */
  store: boolean;
  /** The read models live here, in this schema. */
  readSchema?: string;
}

/**
 * Resets what `parts` names in the database at `url`. `dryRun` goes as far as the commit and
 * rolls back: for a reset over two databases, so that neither changes unless both can.
 */
export async function resetPostgresDatabase(
  url: string,
  parts: ResetParts,
  options: { dryRun?: boolean } = {},
): Promise<void> {
  const target = describePostgresUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  const schemas = [
    ...(parts.store ? ['eventlite'] : []),
    ...(parts.readSchema ? [parts.readSchema] : []),
  ];
  try {
    await client.connect();
    await inLockedTransaction(client, async () => {
      await client.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
      await lockTablesAndViews(client, schemas);
      await refuseDependents(client, schemas);
      const logins = parts.readSchema
        ? await recordedLogins(client, pg.escapeIdentifier(parts.readSchema))
        : [];
      await client.query(
        `DROP SCHEMA IF EXISTS ${schemas.map((s) => pg.escapeIdentifier(s)).join(', ')} CASCADE`,
      );
      for (const { role } of logins) await dropLogin(client, role);
      if (parts.store) await migrateFrom(client, 0);
      if (options.dryRun) throw DRY_RUN;
    });
  } catch (error) {
    if (error === DRY_RUN) return;
    throw translatePgError(error, target);
  } finally {
    await client.end().catch(() => {});
  }
}

const DRY_RUN = Symbol('dry run');

/** While they are held, nobody can make a view over them or a foreign key to them. */
async function lockTablesAndViews(client: pg.ClientBase, schemas: string[]): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v')`,
    [schemas],
  );
  if (rows.length === 0) return;
  await client.query(
    `LOCK TABLE ${rows.map((row) => row.name).join(', ')} IN ACCESS EXCLUSIVE MODE`,
  );
}

/** Objects outside `schemas` that depend on something in them: the reset would drop them. */
async function refuseDependents(client: pg.ClientBase, schemas: string[]): Promise<void> {
  const { rows } = await client.query<{ dependent: string; target: string }>(
    `WITH spaces AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[])),
     ours AS (
       SELECT 'pg_namespace'::regclass AS classid, oid AS objid FROM spaces
       UNION ALL SELECT 'pg_class'::regclass, oid FROM pg_class WHERE relnamespace IN (SELECT oid FROM spaces)
       UNION ALL SELECT 'pg_type'::regclass, oid FROM pg_type WHERE typnamespace IN (SELECT oid FROM spaces)
       UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc WHERE pronamespace IN (SELECT oid FROM spaces)
     ),
     dependents AS (
       SELECT d.classid, d.objid, d.refclassid, d.refobjid,
              CASE d.classid
                WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
                WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
                WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid)
                WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid = d.objid)
                WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r
                  JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid)
                WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t
                  JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = d.objid)
                WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a
                  JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid)
                WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p
                  JOIN pg_class c ON c.oid = p.polrelid WHERE p.oid = d.objid)
              END AS space
       FROM pg_depend d JOIN ours o ON o.classid = d.refclassid AND o.objid = d.refobjid
       WHERE d.deptype IN ('n', 'a')
     )
     SELECT DISTINCT ON (dependent) dependent, target FROM (
       SELECT CASE WHEN classid = 'pg_rewrite'::regclass
                THEN (SELECT pg_describe_object('pg_class'::regclass, ev_class, 0)
                      FROM pg_rewrite WHERE oid = objid)
                ELSE pg_describe_object(classid, objid, 0) END AS dependent,
              pg_describe_object(refclassid, refobjid, 0) AS target
       FROM dependents
       WHERE space IS NULL OR space NOT IN (SELECT oid FROM spaces)
     ) found
     ORDER BY dependent, target DESC`,
    [schemas],
  );
  if (rows.length === 0) return;
  const named = rows.slice(0, 3).map((row) => `${row.dependent} depends on ${row.target}`);
  const more = rows.length > 3 ? `, and ${rows.length - 3} more` : '';
  throw new StoreError(
    `reset refused: ${named.join('; ')}${more}; reset would drop what is not eventlite's: drop or change that first (nothing was deleted)`,
  );
}

/** A login the read schema recorded; refused (with what still needs it) rather than forced. */
async function dropLogin(client: pg.ClientBase, role: string): Promise<void> {
  try {
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  } catch (error) {
    const { message, detail } = error as { message: string; detail?: string };
    throw new StoreError(
      `reset refused: cannot drop the query login "${role}": ${message}${detail ? ` (${detail.replaceAll('\n', ', ')})` : ''} (nothing was deleted)`,
      { cause: error },
    );
  }
}
