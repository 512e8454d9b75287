// The baseline: plain better-sqlite3 on the store's own schema and pragmas, without any of
// eventlite's code in the timed path.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
// The SQLite adapter's own busy timeout and DDL (not part of the package entry): the bench
// reads them from the build so the baseline cannot drift.
import { DEFAULT_BUSY_TIMEOUT_MS } from '../dist/store/sqlite/index.js';
import { STORE_SCHEMA, STORE_SCHEMA_VERSION } from '../dist/store/sqlite/schema.js';
import { removeDatabase } from './paths.mjs';

// The same as src/store/sqlite/open.ts configure().
const PRAGMAS = [
  `busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`,
  'journal_mode = WAL',
  'synchronous = FULL',
  'cache_size = -16000',
];

export const INSERT_SQL = `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

export function openRaw(path, options = {}) {
  const db = new Database(path, options);
  for (const pragma of PRAGMAS) db.pragma(pragma);
  return db;
}

/** A new, empty store at `path` (replacing any file there), made with the store's DDL. */
export function createRawStore(path) {
  removeDatabase(path);
  const db = openRaw(path);
  db.transaction(() => {
    for (const migration of STORE_SCHEMA.migrations) db.exec(migration);
    db.pragma(`application_id = ${STORE_SCHEMA.applicationId}`);
    db.pragma(`user_version = ${STORE_SCHEMA.migrations.length}`);
  })();
  return db;
}

/** Names cached files: a schema change (or a change to the bench data) makes a new cache. */
export function schemaTag(dataVersion) {
  const hash = createHash('sha256')
    .update(STORE_SCHEMA.migrations.join('\n'))
    .update(String(dataVersion))
    .digest('hex');
  return `s${STORE_SCHEMA_VERSION}-${hash.slice(0, 10)}`;
}

/** Inserts one event object (the contract's shape) with a prepared INSERT_SQL, as raw as it gets. */
export function rawInserter(db) {
  const insert = db.prepare(INSERT_SQL);
  return (e) =>
    insert.run(
      e.id,
      e.stream,
      e.version,
      e.type,
      JSON.stringify(e.data),
      JSON.stringify(e.metadata),
      e.recordedAt,
    );
}
