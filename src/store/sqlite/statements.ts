import type Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[]>;

// The one statement cache, for the store's own SQL and for projection handlers' SQL alike:
// handlers issue the same few texts for every event, and preparing is a measurable share of a
// small append, so each text is prepared once per connection.
const cache = new WeakMap<Db, Map<string, Statement>>();

function cached(db: Db, key: string, prepare: () => Statement): Statement {
  let statements = cache.get(db);
  if (!statements) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(key);
  if (!statement) {
    statement = prepare();
    statements.set(key, statement);
  }
  return statement;
}

export function prepared(db: Db, sql: string): Statement {
  return cached(db, sql, () => db.prepare(sql));
}

/**
 * A statement whose rows come back as arrays of column values, in the SELECT's order: a page
 * of a million-event read then builds no object per row with eight named keys, which measured
 * a third of the fetch's CPU time.
 */
export function preparedRaw(db: Db, sql: string): Statement {
  return cached(db, `raw\0${sql}`, () => db.prepare(sql).raw(true));
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The columns of `events`, renamed to an EventRow's keys; read.ts takes them in this order. */
export const EVENT_COLUMNS =
  'position, stream, version, type, id, data AS dataJson, metadata AS metadataJson, recorded_at AS recordedAt, schema_version AS schemaVersion';

/** What a lean log page reads (see LeanPage): the columns a projection handler mostly reads. */
export const LEAN_COLUMNS = 'position, version, type, data, recorded_at, schema_version';

export const STORE_SQL = {
  streamVersion: 'SELECT max(version) FROM events WHERE stream = ?',
  streamOfEventId: 'SELECT stream FROM events WHERE id = ?',
  // Positional: binding named parameters costs more, and appends and imports run it per event.
  insertEvent: `INSERT INTO events
    (id, stream, version, type, data, metadata, recorded_at, schema_version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  storedContent: `SELECT stream, type, schema_version, data, metadata, recorded_at
    FROM events WHERE id = ?`,
  head: 'SELECT coalesce(max(position), 0) FROM events',
  storeId: `SELECT value FROM eventlite_store WHERE key = 'store_id'`,
  logPage: `SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`,
  leanLogPage: `SELECT ${LEAN_COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`,
  leanRest: `SELECT position, stream, id, metadata FROM events
    WHERE position BETWEEN ? AND ? ORDER BY position`,
  eventsAt: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE position IN (SELECT value FROM json_each(?)) ORDER BY position`,
  streamPageForward: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE stream = ? AND version >= ? ORDER BY version LIMIT ?`,
  streamPageBackward: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE stream = ? AND version <= ? ORDER BY version DESC LIMIT ?`,
} as const;

/** A single value: the first column of the first row. */
export function pluck<T>(db: Db, sql: string, ...params: unknown[]): T {
  return pluckStatement(db, sql).get(...params) as T;
}

// Plucking is a mode of the statement itself, so plucked texts get statements of their own.
function pluckStatement(db: Db, sql: string): Statement {
  return cached(db, `pluck\u0000${sql}`, () => db.prepare(sql).pluck());
}
