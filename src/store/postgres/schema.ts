import type pg from 'pg';
import { NotFoundError, StoreError } from '../../core/errors.js';
import { APPEND_FUNCTION } from './append-function.js';
import { APPEND_FUNCTION_REFUSING_DELETED } from './append-function-lifecycle.js';
import type { PgTarget } from './connection.js';

/**
 * Forward-only migrations; entry N brings a database from schema N to N + 1, and
 * `eventlite.meta` holds the schema version. Never edit a shipped entry: add a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE SCHEMA eventlite;
  CREATE TABLE eventlite.meta (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_version integer NOT NULL
  );
  -- The last position handed out. Every write transaction locks this row first: writers queue
  -- on it, so positions are given out in commit order with no gaps (a sequence would let a
  -- transaction holding 5 commit after one holding 6, and a reader at 6 would never see 5).
  CREATE TABLE eventlite.head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL CHECK (position >= 0)
  );
  INSERT INTO eventlite.head (position) VALUES (0);
  -- TEXT, not jsonb: the JSON text is kept byte for byte (jsonb reorders keys), and the json
  -- check accepts all that JSON.stringify writes (jsonb refuses "\\u0000").
  -- COLLATE "C": names compare and sort byte by byte, as in SQLite.
  CREATE TABLE eventlite.events (
    position    bigint  PRIMARY KEY,
    id          text    COLLATE "C" NOT NULL UNIQUE,
    stream      text    COLLATE "C" NOT NULL,
    version     integer NOT NULL CHECK (version >= 1),
    type        text    COLLATE "C" NOT NULL,
    data        text    NOT NULL CHECK (json_typeof(data::json) = 'object'),
    metadata    text    NOT NULL CHECK (json_typeof(metadata::json) = 'object'),
    recorded_at text    NOT NULL,
    UNIQUE (stream, version)
  );
  CREATE FUNCTION eventlite.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'events are append-only: % is refused', TG_OP;
  END
  $$;
  CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
  CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
  CREATE TRIGGER events_are_append_only_truncate BEFORE TRUNCATE ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_change();
  `,
  `
  -- Derived data, never part of the log: a decider's folded state of a stream at a version, so
  -- that a command reads only the events after it. Deleting rows changes no result. A row is
  -- read only while the stream's event at version is still event_id.
  CREATE TABLE eventlite.snapshots (
    stream   text    COLLATE "C" NOT NULL,
    decider  text    COLLATE "C" NOT NULL,
    version  integer NOT NULL CHECK (version >= 1),
    event_id text    COLLATE "C" NOT NULL,
    state    text    NOT NULL CHECK (json_typeof(state::json) IS NOT NULL),
    taken_at text    NOT NULL,
    PRIMARY KEY (stream, decider, version)
  );
  `,
  `
  -- Which store this is: read models record it, and refuse to mix in another store's log. The
  -- default fills the row that an older store already has, and the row a new one inserts.
  ALTER TABLE eventlite.meta
    ADD COLUMN store_id text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
  `,
  `
  -- The version of its type's data shape each event was written in (docs/evolution.md); every
  -- event stored before versions existed was written in version 1. A constant default is
  -- metadata only: no row is rewritten, and the append-only triggers never fire. The check
  -- holds for every new row; NOT VALID spares a scan of the old ones, which all hold 1.
  ALTER TABLE eventlite.events
    ADD COLUMN schema_version integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT events_schema_version_check CHECK (schema_version >= 1) NOT VALID;
  `,
  APPEND_FUNCTION,
  `
  -- Audited lifecycle commands (docs/lifecycle.md). UPDATE and DELETE of events get through
  -- only in a transaction that has set eventlite.lifecycle (SET LOCAL: it ends with the
  -- transaction). A lifecycle command sets it, makes its change and appends its audit event in
  -- one transaction; everything else is refused as before, and TRUNCATE always.
  CREATE FUNCTION eventlite.refuse_unaudited_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF current_setting('eventlite.lifecycle', true) = 'on' THEN
      RETURN NULL;
    END IF;
    RAISE EXCEPTION 'events are append-only: % is refused', TG_OP;
  END
  $$;
  DROP TRIGGER events_are_append_only_update ON eventlite.events;
  DROP TRIGGER events_are_append_only_delete ON eventlite.events;
  CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_unaudited_change();
  CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.refuse_unaudited_change();
  -- Deleted streams: hidden (hard false) or removed for good (hard true), by the audit event
  -- at position. Appends to them are refused; an import leaves a removed stream's events out.
  CREATE TABLE eventlite.deleted_streams (
    stream     text    COLLATE "C" PRIMARY KEY,
    hard       boolean NOT NULL,
    version    integer NOT NULL,
    position   bigint  NOT NULL,
    deleted_at text    NOT NULL
  );
  -- A key per subject for their sealed personal fields (AES-256-GCM); forget deletes it.
  CREATE TABLE eventlite.keys (
    key_id     text  COLLATE "C" PRIMARY KEY,
    subject    text  COLLATE "C" NOT NULL,
    key        bytea NOT NULL CHECK (length(key) = 32),
    created_at text  NOT NULL
  );
  CREATE INDEX keys_by_subject ON eventlite.keys (subject);
  -- The ids of forgotten keys: an import never brings one back.
  CREATE TABLE eventlite.forgotten_keys (
    key_id       text   COLLATE "C" PRIMARY KEY,
    subject      text   COLLATE "C" NOT NULL,
    position     bigint NOT NULL,
    forgotten_at text   NOT NULL
  );
  `,
  APPEND_FUNCTION_REFUSING_DELETED,
  `
  -- Subscriptions (eventlite subscribe): each consumer group member's checkpoint, the last
  -- position its consumer acknowledged, kept in the store for any machine that reaches it.
  -- The filter is fixed when the subscription is made.
  CREATE TABLE eventlite.subscriptions (
    name       text    COLLATE "C" NOT NULL,
    member     integer NOT NULL CHECK (member >= 0),
    group_size integer NOT NULL CHECK (group_size >= 1 AND member < group_size),
    filter     text    NOT NULL CHECK (json_typeof(filter::json) = 'object'),
    checkpoint bigint  NOT NULL CHECK (checkpoint >= 0),
    created_at text    NOT NULL,
    updated_at text    NOT NULL,
    PRIMARY KEY (name, member)
  );
  -- Events a subscription's consumer failed on, set aside (parked or skipped) so that the rest
  -- could go on. queued: redelivered before new events (eventlite subscriptions retry).
  CREATE TABLE eventlite.subscription_set_aside (
    subscription text    COLLATE "C" NOT NULL,
    position     bigint  NOT NULL,
    member       integer NOT NULL,
    stream       text    COLLATE "C" NOT NULL,
    type         text    COLLATE "C" NOT NULL,
    kind         text    NOT NULL CHECK (kind IN ('parked', 'skipped')),
    error        text    NOT NULL,
    attempts     integer NOT NULL CHECK (attempts >= 0),
    queued       boolean NOT NULL DEFAULT false,
    set_aside_at text    NOT NULL,
    PRIMARY KEY (subscription, position)
  );
  -- Followers (log --follow, projections run --follow, subscribe --follow) LISTEN on
  -- eventlite_events instead of polling. A statement trigger, so that every way of inserting
  -- events notifies, once per statement; PostgreSQL delivers it at commit, and a transaction's
  -- identical notifications as one.
  CREATE FUNCTION eventlite.notify_followers() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('eventlite_events', '');
    RETURN NULL;
  END
  $$;
  CREATE TRIGGER events_notify_followers AFTER INSERT ON eventlite.events
    FOR EACH STATEMENT EXECUTE FUNCTION eventlite.notify_followers();
  `,
];

/** The channel that the trigger above notifies at each commit that inserted events. */
export const EVENTS_CHANNEL = 'eventlite_events';

export const PG_STORE_SCHEMA_VERSION = MIGRATIONS.length;

/** The migrations in order, for tests that build a store as an older eventlite left it. */
export const PG_STORE_MIGRATIONS = MIGRATIONS;

/** The append-only triggers that a current schema has on eventlite.events. */
export const APPEND_ONLY_TRIGGERS = 3;

// Two-key advisory lock: (EVLT, 1) is the event store's schema; other keys stay free for others.
const SCHEMA_LOCK = 'SELECT pg_advisory_lock(1163283540, 1)';
const SCHEMA_UNLOCK = 'SELECT pg_advisory_unlock(1163283540, 1)';

/** The schema version stored in the database, or 0 when it holds no event store. */
export async function readSchemaVersion(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ meta: string | null }>(
    `SELECT to_regclass('eventlite.meta')::text AS meta`,
  );
  if (rows[0]?.meta == null) return 0;
  const version = await client.query<{ schema_version: number }>(
    'SELECT schema_version FROM eventlite.meta',
  );
  return version.rows[0]?.schema_version ?? 0;
}

/**
 * Creates or migrates the event store's schema. A database that holds other tables and no
 * event store, or one that a newer eventlite wrote, is refused rather than touched. Without
 * `create`, an empty database is NotFound: a read must not create a store (as with a missing
 * SQLite file).
 */
export async function migratePgSchema(
  client: pg.ClientBase,
  target: PgTarget,
  options: { create: boolean },
): Promise<boolean> {
  const version = await readSchemaVersion(client);
  checkNotNewer(version, target);
  if (version === PG_STORE_SCHEMA_VERSION) return false;
  if (version === 0 && !options.create) {
    await checkNotForeign(client, target);
    throw noStore(target);
  }

  // Decided again under the lock: racing `init`s each see no schema, and only the first may
  // create it; the others then find it current. A session lock taken BEFORE the transaction,
  // not pg_advisory_xact_lock inside it: a backend refreshes its catalog caches when a
  // transaction starts (or it locks a table), not when it gets an advisory lock, so a
  // transaction that waited for the lock could still miss the schema that the winner created
  // meanwhile, and take the database for a foreign one. lock_timeout bounds the wait.
  let created = false;
  await inLockedTransaction(client, async () => {
    const locked = await readSchemaVersion(client);
    created = locked === 0;
    checkNotNewer(locked, target);
    if (locked === 0) {
      await checkNotForeign(client, target);
      if (!options.create) throw noStore(target);
      await checkEncoding(client, target);
    }
    await migrateFrom(client, locked);
  });
  return created;
}

/**
 * Runs the migrations from schema `version` on, in the caller's transaction, and records the
 * new version. From 0 it creates the store: `reset` does so in the transaction that dropped it.
 */
export async function migrateFrom(client: pg.ClientBase, version: number): Promise<void> {
  for (let step = version; step < PG_STORE_SCHEMA_VERSION; step += 1) {
    await client.query(MIGRATIONS[step]!);
  }
  await client.query(
    `INSERT INTO eventlite.meta (schema_version) VALUES ($1)
     ON CONFLICT (singleton) DO UPDATE SET schema_version = excluded.schema_version`,
    [PG_STORE_SCHEMA_VERSION],
  );
}

/**
 * Drops the store's schema again while it holds no event: a failing command that created the
 * store leaves the database as it found it. Under the schema lock, so no other eventlite is
 * creating or migrating it meanwhile; a store that another process appended to stays.
 */
export async function dropEmptyPgStore(client: pg.ClientBase): Promise<void> {
  await inLockedTransaction(client, async () => {
    // The counter row is what every append locks: holding it, no append can land meanwhile.
    await client.query('SELECT * FROM eventlite.head FOR UPDATE');
    const events = await client.query('SELECT 1 FROM eventlite.events LIMIT 1');
    if (events.rowCount === 0) await client.query('DROP SCHEMA eventlite CASCADE');
  });
}

/** `work` in one transaction, holding the schema lock from before it begins until it ends. */
export async function inLockedTransaction(
  client: pg.ClientBase,
  work: () => Promise<void>,
): Promise<void> {
  await client.query(SCHEMA_LOCK);
  try {
    await client.query('BEGIN');
    try {
      await work();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    await client.query(SCHEMA_UNLOCK).catch(() => {});
  }
}

function checkNotNewer(version: number, target: PgTarget): void {
  if (version > PG_STORE_SCHEMA_VERSION) {
    throw new StoreError(
      `${target.location} was written by a newer eventlite (schema ${version}; this version reads up to ${PG_STORE_SCHEMA_VERSION}); upgrade eventlite`,
    );
  }
}

function noStore(target: PgTarget): NotFoundError {
  return new NotFoundError(
    `no event store at ${target.location} (create one with "eventlite init")`,
  );
}

/**
 * A database whose user schemas hold tables (or an `eventlite` schema without our meta table)
 * and no event store is someone else's. Schemas named eventlite… are ours: a read store may
 * share the database.
 */
async function checkNotForeign(client: pg.ClientBase, target: PgTarget): Promise<void> {
  const { rows } = await client.query<{ foreign: boolean }>(
    `SELECT EXISTS (
              SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_%'
                AND n.nspname NOT LIKE 'eventlite%'
            ) OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'eventlite') AS foreign`,
  );
  if (rows[0]!.foreign) {
    throw new StoreError(
      `${target.location} is a PostgreSQL database but not an eventlite event store`,
    );
  }
}

/** Names and JSON text must come back as written: only a UTF8 database keeps every character. */
async function checkEncoding(client: pg.ClientBase, target: PgTarget): Promise<void> {
  const { rows } = await client.query<{ encoding: string }>(
    `SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database
     WHERE datname = current_database()`,
  );
  const encoding = rows[0]!.encoding;
  if (encoding !== 'UTF8') {
    throw new StoreError(
      `${target.location} uses the ${encoding} encoding; an eventlite store needs a UTF8 database`,
    );
  }
}
