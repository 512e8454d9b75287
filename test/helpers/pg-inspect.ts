import pg from 'pg';

// Looking into a PostgreSQL store and its read schema with plain SQL, not eventlite's code: the
// PostgreSQL counterpart of opening the SQLite files with better-sqlite3 in a test. Checks that
// must see one moment (a checkpoint and the tables it stands for) are ONE statement: it takes
// its locks, then its snapshot, so it sees a rebuild's swap or a batch whole or not at all.

/** The read schema that a PostgreSQL store's read models live in by default. */
export const READ_SCHEMA = 'eventlite_read';

/** One connection for a test's looks; `end()` it before the database is dropped. */
export async function pgClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs `work` on a connection of its own, then closes it. */
export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>) {
  const client = await pgClient(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** An event row as `eventlite log --format ndjson` prints it. */
export interface PgLoggedEvent {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/** The global log straight from eventlite.events; empty when there is no store yet. */
export async function pgStoredLog(client: pg.ClientBase): Promise<PgLoggedEvent[]> {
  const { rows } = await client.query<{ events: PgLoggedEvent[] | null }>(
    `SELECT CASE WHEN to_regclass('eventlite.events') IS NULL THEN NULL ELSE
       (SELECT json_agg(json_build_object(
                 'position', position, 'stream', stream, 'version', version, 'type', type,
                 'id', id, 'data', data::json, 'metadata', metadata::json,
                 'recordedAt', recorded_at) ORDER BY position)
        FROM eventlite.events) END AS events`,
  );
  return rows[0]?.events ?? [];
}

/**
 * The value of `select` (SQL giving one json value, run with the read schema on the search
 * path) after checking that `tables` exist, in ONE statement; `missing` when one does not.
 * Missing tables are asked about first, in a statement of their own: a statement that names a
 * table that does not exist fails to parse.
 */
export async function pgReadJson<T>(
  client: pg.ClientBase,
  tables: readonly string[],
  select: string,
  missing: T,
  schema = READ_SCHEMA,
): Promise<T> {
  const present = await client.query<{ all: boolean }>(
    `SELECT bool_and(to_regclass(format('%I.%I', $1::text, name)) IS NOT NULL) AS all
     FROM unnest($2::text[]) AS name`,
    [schema, tables],
  );
  if (!present.rows[0]?.all) return missing;
  await client.query(`SET search_path TO ${pg.escapeIdentifier(schema)}`);
  try {
    const { rows } = await client.query<{ value: T }>(`SELECT (${select}) AS value`);
    return rows[0]!.value;
  } catch (error) {
    // A rebuild's swap dropped a table between the two statements: look again.
    if ((error as { code?: string }).code === '42P01') {
      return pgReadJson(client, tables, select, missing, schema);
    }
    throw error;
  }
}

/** A projection's checkpoint in the read schema; 0 before the schema or its row exists. */
export function pgCheckpoint(client: pg.ClientBase, name: string, schema = READ_SCHEMA) {
  return pgReadJson(
    client,
    ['eventlite_projections'],
    `SELECT coalesce((SELECT checkpoint FROM eventlite_projections WHERE name = ${pg.escapeLiteral(name)}), 0)`,
    0,
    schema,
  ).then(Number);
}

/** The rebuild scratch schemas left in the database (a killed rebuild leaves one behind). */
export async function pgScratchSchemas(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'eventlite\\_rebuild\\_%' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/**
 * Empties a database for the next run of a property: eventlite's schemas go (the events table
 * refuses DELETE and TRUNCATE, not DROP), so the next open creates a new store.
 */
export async function resetPgDatabase(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'eventlite%'`,
  );
  for (const { name } of rows) {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
  }
}

/**
 * Waits until no other client is connected to the database. A client killed right after it
 * sent COMMIT leaves the server to finish that commit: only once its session is gone is what
 * the killed process did all there to be seen.
 */
export async function pgOthersGone(client: pg.ClientBase, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ others: number }>(
      `SELECT count(*)::int AS others FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND backend_type = 'client backend'`,
    );
    if (rows[0]!.others === 0) return;
    if (Date.now() > deadline) throw new Error('other clients are still connected to the database');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
