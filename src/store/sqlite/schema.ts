import type Database from 'better-sqlite3';
import { StoreError } from '../../core/errors.js';

/** "EVLT": marks a SQLite file as an eventlite store (`PRAGMA application_id`). */
export const STORE_APPLICATION_ID = 0x45564c54;

/**
 * Forward-only migrations; entry N brings a file from schema N to N + 1. `user_version` holds
 * the schema version. Never edit a shipped entry: add a new one.
 */
const STORE_MIGRATIONS: readonly string[] = [
  `
  -- AUTOINCREMENT: a plain rowid may be reused after a rollback at the end of the table, and a
  -- reader that checkpointed past it would never see the event that later takes that position.
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    stream      TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL CHECK (json_valid(data)),
    metadata    TEXT    NOT NULL CHECK (json_valid(metadata)),
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream, version)
  );
  CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
  BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
  END;
  CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
  BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
  END;
  `,
  `
  -- Derived data, never part of the log: a decider's folded state of a stream at a version, so
  -- that a command reads only the events after it. Deleting rows changes no result. A row is
  -- read only while the stream's event at version is still event_id.
  CREATE TABLE eventlite_snapshots (
    stream   TEXT    NOT NULL,
    decider  TEXT    NOT NULL,
    version  INTEGER NOT NULL CHECK (version >= 1),
    event_id TEXT    NOT NULL,
    state    TEXT    NOT NULL CHECK (json_valid(state)),
    taken_at TEXT    NOT NULL,
    PRIMARY KEY (stream, decider, version)
  ) WITHOUT ROWID;
  `,
  `
  -- Which store this is: a read database records it, and refuses to mix in another store's log.
  CREATE TABLE eventlite_store (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO eventlite_store (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
  `,
  `
  -- The version of its type's data shape each event was written in (docs/evolution.md); every
  -- event stored before versions existed was written in version 1. A constant default: adding
  -- the column rewrites no row, and the append-only triggers never fire.
  ALTER TABLE events ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1
    CHECK (schema_version >= 1);
  `,
  `
  -- Audited lifecycle commands (docs/lifecycle.md). The triggers let an UPDATE or DELETE of
  -- events through only while eventlite_lifecycle_permit holds a row. A lifecycle command
  -- inserts one, makes its change, deletes it and appends its audit event in one transaction,
  -- so no other connection ever sees a permit: everything else is refused as before.
  CREATE TABLE eventlite_lifecycle_permit (command TEXT NOT NULL);
  DROP TRIGGER events_are_append_only_update;
  DROP TRIGGER events_are_append_only_delete;
  CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
  WHEN NOT EXISTS (SELECT 1 FROM eventlite_lifecycle_permit)
  BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
  END;
  CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
  WHEN NOT EXISTS (SELECT 1 FROM eventlite_lifecycle_permit)
  BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
  END;
  -- Deleted streams: hidden (hard = 0) or removed for good (hard = 1), by the audit event at
  -- position. Appends to them are refused; an import leaves a removed stream's events out.
  CREATE TABLE eventlite_deleted_streams (
    stream     TEXT    PRIMARY KEY,
    hard       INTEGER NOT NULL CHECK (hard IN (0, 1)),
    version    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    deleted_at TEXT    NOT NULL
  ) WITHOUT ROWID;
  -- A key per subject for their sealed personal fields (AES-256-GCM); forget deletes it.
  CREATE TABLE eventlite_keys (
    key_id     TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,
    key        BLOB NOT NULL CHECK (length(key) = 32),
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX eventlite_keys_by_subject ON eventlite_keys (subject);
  -- The ids of forgotten keys: an import never brings one back.
  CREATE TABLE eventlite_forgotten_keys (
    key_id       TEXT    PRIMARY KEY,
    subject      TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    forgotten_at TEXT    NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- Subscriptions (eventlite subscribe): each consumer group member's checkpoint, the last
  -- position its consumer acknowledged. Kept in the store, so that any machine that reaches the
  -- store can run the consumer. The filter is fixed when the subscription is made.
  CREATE TABLE eventlite_subscriptions (
    name       TEXT    NOT NULL,
    member     INTEGER NOT NULL CHECK (member >= 0),
    group_size INTEGER NOT NULL CHECK (group_size >= 1 AND member < group_size),
    filter     TEXT    NOT NULL CHECK (json_valid(filter)),
    checkpoint INTEGER NOT NULL CHECK (checkpoint >= 0),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (name, member)
  ) WITHOUT ROWID;
  -- Events a subscription's consumer failed on, set aside (parked or skipped) so that the rest
  -- could go on. queued: redelivered before new events (eventlite subscriptions retry).
  CREATE TABLE eventlite_subscription_set_aside (
    subscription TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    member       INTEGER NOT NULL,
    stream       TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('parked', 'skipped')),
    error        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL CHECK (attempts >= 0),
    queued       INTEGER NOT NULL DEFAULT 0 CHECK (queued IN (0, 1)),
    set_aside_at TEXT    NOT NULL,
    PRIMARY KEY (subscription, position)
  ) WITHOUT ROWID;
  `,
];

export const STORE_SCHEMA_VERSION = STORE_MIGRATIONS.length;

export interface SchemaSpec {
  /** What the file is, for messages: "event store", "read database". */
  kind: string;
  applicationId: number;
  migrations: readonly string[];
}

export const STORE_SCHEMA: SchemaSpec = {
  kind: 'event store',
  applicationId: STORE_APPLICATION_ID,
  migrations: STORE_MIGRATIONS,
};

interface SchemaState {
  applicationId: number;
  version: number;
}

function readSchemaState(db: Database.Database): SchemaState {
  return {
    applicationId: db.pragma('application_id', { simple: true }) as number,
    version: db.pragma('user_version', { simple: true }) as number,
  };
}

/**
 * Creates or migrates the schema of `db`. A file that belongs to another application, or that
 * a newer eventlite wrote, is refused rather than touched.
 */
export function migrateSchema(db: Database.Database, path: string, spec: SchemaSpec): void {
  const target = spec.migrations.length;
  const before = readSchemaState(db);
  if (before.applicationId === spec.applicationId && before.version === target) return;

  // Anything else is decided under the write lock, on one consistent view of the file: read
  // outside it, another process's schema creation could be seen half-way (tables present but
  // application_id not yet set), making a new store look like a foreign database.
  db.transaction(() => {
    const state = readSchemaState(db);
    checkSchemaState(db, path, spec, state);
    if (state.applicationId === spec.applicationId && state.version === target) return;
    for (let version = state.version; version < target; version += 1) {
      db.exec(spec.migrations[version]!);
    }
    db.pragma(`application_id = ${spec.applicationId}`);
    db.pragma(`user_version = ${target}`);
  }).immediate();
}

function checkSchemaState(
  db: Database.Database,
  path: string,
  spec: SchemaSpec,
  state: SchemaState,
): void {
  if (state.applicationId === spec.applicationId) {
    if (state.version > spec.migrations.length) {
      throw new StoreError(
        `${path} was written by a newer eventlite (schema ${state.version}; this version reads up to ${spec.migrations.length}); upgrade eventlite`,
      );
    }
    return;
  }
  const isEmpty =
    state.applicationId === 0 &&
    state.version === 0 &&
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0;
  if (!isEmpty) {
    throw new StoreError(`${path} is a SQLite database but not an eventlite ${spec.kind}`);
  }
}
