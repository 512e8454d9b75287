import type Database from 'better-sqlite3';
import { STORED_EVENT_COLUMNS } from './stored-event.js';

// Prepared once per connection: preparing is a measurable share of a small append.
const cache = new WeakMap<Database.Database, StoreStatements>();

type StatementName =
  | 'streamVersion'
  | 'streamOfEventId'
  | 'insertEvent'
  | 'importEvent'
  | 'head'
  | 'logPage'
  | 'streamPageForward'
  | 'streamPageBackward';
export type StoreStatements = Record<StatementName, Database.Statement>;

export function storeStatements(db: Database.Database): StoreStatements {
  let statements = cache.get(db);
  if (!statements) {
    statements = prepare(db);
    cache.set(db, statements);
  }
  return statements;
}

function prepare(db: Database.Database): StoreStatements {
  return {
    streamVersion: db.prepare('SELECT max(version) FROM events WHERE stream = ?').pluck(),
    streamOfEventId: db.prepare('SELECT stream FROM events WHERE id = ?').pluck(),
    insertEvent: db.prepare(
      `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
       VALUES (:id, :stream, :version, :type, :data, :metadata, :recordedAt)`,
    ),
    // Positional: binding named parameters costs more, and an import runs this per event.
    importEvent: db.prepare(
      `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    head: db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck(),
    logPage: db.prepare(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`,
    ),
    streamPageForward: db.prepare(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events
       WHERE stream = ? AND version >= ? ORDER BY version LIMIT ?`,
    ),
    streamPageBackward: db.prepare(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events
       WHERE stream = ? AND version <= ? ORDER BY version DESC LIMIT ?`,
    ),
  };
}
