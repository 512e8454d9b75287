import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreError } from '../../../core/errors.js';
import { withStoreErrors } from '../errors.js';
import { filePath, openDatabase } from '../open.js';
import { STORE_SCHEMA, type SchemaSpec } from '../schema.js';
import type { Db } from '../statements.js';

/** "EVLR": marks a separate SQLite file as an eventlite read database. */
export const READ_DB_APPLICATION_ID = 0x45564c52;

/**
 * The read database's bookkeeping is versioned in its own meta table, not in `user_version`:
 * `--read-db` may name the store itself (single-database CQRS), where `application_id` and
 * `user_version` already belong to the store's schema. So the tables are created idempotently
 * (`IF NOT EXISTS`) and `eventlite_read_meta.schema_version` says which shape they have, which
 * works the same in a file of its own and inside the store. A separate file is still claimed
 * with its own application_id, so a foreign SQLite file is refused rather than written into.
 */
export const READ_SCHEMA_VERSION = 2;

const READ_DB_SPEC: SchemaSpec = {
  kind: 'read database',
  applicationId: READ_DB_APPLICATION_ID,
  migrations: [],
};

const BOOKKEEPING_DDL = `
  CREATE TABLE IF NOT EXISTS eventlite_read_meta (
    key   TEXT PRIMARY KEY,
    value ANY
  );
  -- One row per projection that has been set up in this file.
  CREATE TABLE IF NOT EXISTS eventlite_projections (
    name             TEXT    PRIMARY KEY,
    version          INTEGER NOT NULL,
    definition_hash  TEXT    NOT NULL, -- setup, views and handler sources
    schema_hash      TEXT    NOT NULL, -- setup and views only
    checkpoint       INTEGER NOT NULL DEFAULT 0, -- last event position applied
    status           TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed')),
    error            TEXT,
    failed_position  INTEGER,
    failed_stream    TEXT,
    failed_type      TEXT,
    failed_during    TEXT, -- 'catch-up' or 'rebuild'
    rebuilding_pid   INTEGER,
    rebuilding_since TEXT,
    last_run_at      TEXT
  );
  -- The tables, views, indexes and triggers each projection's setup and views created.
  CREATE TABLE IF NOT EXISTS eventlite_projection_objects (
    name       TEXT PRIMARY KEY,
    projection TEXT NOT NULL,
    type       TEXT NOT NULL
  );
  -- Read schema 2: events a projection's handler failed on, set aside by its onError policy
  -- ('park': to apply again with projections retry; 'skip': given up on, on record).
  CREATE TABLE IF NOT EXISTS eventlite_projection_set_aside (
    projection   TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    stream       TEXT    NOT NULL,
    type         TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('parked', 'skipped')),
    error        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    set_aside_at TEXT    NOT NULL,
    PRIMARY KEY (projection, position)
  ) WITHOUT ROWID;
`;

/** Brings the bookkeeping tables to READ_SCHEMA_VERSION; refuses a newer file. */
export function ensureReadSchema(db: Db, path: string): void {
  if (readSchemaVersion(db, path) === READ_SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(BOOKKEEPING_DDL);
    const version = readSchemaVersion(db, path) ?? 0;
    if (version > READ_SCHEMA_VERSION) {
      throw new StoreError(
        `${path} holds read models from a newer eventlite (read schema ${version}; this version reads up to ${READ_SCHEMA_VERSION}); upgrade eventlite`,
      );
    }
    db.prepare(
      `INSERT OR REPLACE INTO eventlite_read_meta (key, value) VALUES ('schema_version', ?)`,
    ).run(READ_SCHEMA_VERSION);
  }).immediate();
}

function readSchemaVersion(db: Db, path: string): number | undefined {
  const hasMeta = db
    .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'eventlite_read_meta'`)
    .get();
  if (!hasMeta) return undefined;
  const value = db
    .prepare(`SELECT value FROM eventlite_read_meta WHERE key = 'schema_version'`)
    .pluck()
    .get() as number | undefined;
  if (value !== undefined && value > READ_SCHEMA_VERSION) {
    throw new StoreError(
      `${path} holds read models from a newer eventlite (read schema ${value}; this version reads up to ${READ_SCHEMA_VERSION}); upgrade eventlite`,
    );
  }
  return value;
}

export interface ReadDbLocation {
  readDbPath: string;
  storePath: string;
  /** The folder relative paths are taken from. */
  cwd?: string;
}

/** True when `--read-db` names the store file itself. */
export function readDbIsStore(location: ReadDbLocation): boolean {
  const canonical = (path: string) => {
    const absolute = resolve(filePath(path, location.cwd));
    return existsSync(absolute) ? realpathSync(absolute) : absolute;
  };
  return canonical(location.readDbPath) === canonical(location.storePath);
}

/**
 * Opens the read database for writing, creating it when missing. When it is the store file,
 * the store's own schema is opened (and checked) and the bookkeeping tables added beside.
 */
export function openReadDatabase(location: ReadDbLocation): Db {
  const { readDbPath, cwd } = location;
  const db = readDbIsStore(location)
    ? openDatabase(readDbPath, STORE_SCHEMA, { create: false, cwd })
    : openDatabase(readDbPath, READ_DB_SPEC, { create: true, cwd });
  try {
    withStoreErrors(readDbPath, () => ensureReadSchema(db, readDbPath));
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * True once a runner has set projections up in this file. Its SQLite errors name this file:
 * callers often hold the store too, and a damaged read database must not be blamed on it.
 */
export function hasProjectionTables(db: Db, path: string): boolean {
  return withStoreErrors(
    path,
    () =>
      db
        .prepare(
          `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'eventlite_projections'`,
        )
        .get() !== undefined,
  );
}
