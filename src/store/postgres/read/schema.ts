import type pg from 'pg';
import { StoreError } from '../../../core/errors.js';
import {
  checkout,
  inTransaction,
  lockReadSchema,
  withClient,
  type ReadConnection,
} from './connection.js';
import { withReadStoreErrors } from './errors.js';

/**
 * The shape of the bookkeeping tables, versioned as the SQLite read database versions them
 * (src/store/sqlite/read/schema.ts: the same number, the same tables and columns, in PostgreSQL
 * types). A test checks that the two numbers agree.
 */
export const READ_SCHEMA_VERSION = 2;

function bookkeepingDdl(s: string): string {
  return `
  CREATE SCHEMA IF NOT EXISTS ${s};
  CREATE TABLE IF NOT EXISTS ${s}.eventlite_read_meta (
    key   TEXT PRIMARY KEY,
    value TEXT
  );
  -- One row per projection that has been set up in this schema.
  CREATE TABLE IF NOT EXISTS ${s}.eventlite_projections (
    name             TEXT    PRIMARY KEY,
    version          INTEGER NOT NULL,
    definition_hash  TEXT    NOT NULL, -- setup, views and handler sources
    schema_hash      TEXT    NOT NULL, -- setup and views only
    checkpoint       BIGINT  NOT NULL DEFAULT 0, -- last event position applied
    status           TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed')),
    error            TEXT,
    failed_position  BIGINT,
    failed_stream    TEXT,
    failed_type      TEXT,
    failed_during    TEXT, -- 'catch-up' or 'rebuild'
    rebuilding_pid   INTEGER, -- as stored: a process on whichever host ran the rebuild
    rebuilding_since TEXT,
    last_run_at      TEXT
  );
  -- The tables, views, indexes, sequences, triggers, functions and types each projection's
  -- setup and views created.
  CREATE TABLE IF NOT EXISTS ${s}.eventlite_projection_objects (
    name       TEXT PRIMARY KEY,
    projection TEXT NOT NULL,
    type       TEXT NOT NULL
  );
  -- Read schema 2: events a projection's handler failed on, set aside by its onError policy
  -- ('park': to apply again with projections retry; 'skip': given up on, on record).
  CREATE TABLE IF NOT EXISTS ${s}.eventlite_projection_set_aside (
    projection   TEXT    NOT NULL,
    position     BIGINT  NOT NULL,
    stream       TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('parked', 'skipped')),
    error        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    set_aside_at TEXT    NOT NULL,
    PRIMARY KEY (projection, position)
  );
  -- Read schema 2: \`projections wait\` LISTENs instead of polling; every change of a
  -- projection's row (a checkpoint moved, a failure) notifies at commit.
  CREATE OR REPLACE FUNCTION ${s}.eventlite_notify_waiters() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${CHECKPOINTS_CHANNEL}', TG_TABLE_SCHEMA);
    RETURN NULL;
  END
  $$;
  DROP TRIGGER IF EXISTS eventlite_notify_waiters ON ${s}.eventlite_projections;
  CREATE TRIGGER eventlite_notify_waiters AFTER INSERT OR UPDATE ON ${s}.eventlite_projections
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.eventlite_notify_waiters();`;
}

/** The channel the read schemas notify on; the payload is the schema's name. */
export const CHECKPOINTS_CHANNEL = 'eventlite_checkpoints';

/**
 * Brings the bookkeeping tables to READ_SCHEMA_VERSION, creating the schema if need be, under
 * the read schema's advisory lock so that racing runners create it once; refuses a newer one.
 */
export async function ensureReadSchema(connection: ReadConnection): Promise<void> {
  const client = await checkout(connection);
  try {
    if ((await readSchemaVersion(connection, client)) === READ_SCHEMA_VERSION) return;
    await inTransaction(client, connection.target, async () => {
      await withReadStoreErrors(connection.target, async () => {
        await lockReadSchema(client, connection.schema);
        await client.query(bookkeepingDdl(connection.quotedSchema));
      });
      await readSchemaVersion(connection, client);
      await withReadStoreErrors(connection.target, () =>
        client.query(
          `INSERT INTO ${connection.quotedSchema}.eventlite_read_meta (key, value)
           VALUES ('schema_version', $1)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [String(READ_SCHEMA_VERSION)],
        ),
      );
    });
  } finally {
    client.release();
  }
}

/** True when the read schema holds eventlite's bookkeeping (refusing a newer one). */
export async function readSchemaExists(connection: ReadConnection): Promise<boolean> {
  return withClient(
    connection,
    async (client) => (await readSchemaVersion(connection, client)) !== undefined,
  );
}

/** The bookkeeping's version; undefined before it exists. Refuses a newer eventlite's. */
async function readSchemaVersion(
  connection: ReadConnection,
  client: pg.ClientBase,
): Promise<number | undefined> {
  const { target, quotedSchema } = connection;
  const version = await withReadStoreErrors(target, async () => {
    const found = await client.query<{ present: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS present',
      [`${quotedSchema}.eventlite_read_meta`],
    );
    if (!found.rows[0]?.present) return undefined;
    const rows = await client.query<{ value: string }>(
      `SELECT value FROM ${quotedSchema}.eventlite_read_meta WHERE key = 'schema_version'`,
    );
    return Number(rows.rows[0]?.value ?? 0);
  });
  if (version !== undefined && version > READ_SCHEMA_VERSION) {
    throw new StoreError(
      `${target.location} holds read models from a newer eventlite (read schema ${version}; this version reads up to ${READ_SCHEMA_VERSION}); upgrade eventlite`,
    );
  }
  return version;
}
