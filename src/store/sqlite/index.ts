// The SQLite adapter: the only code that imports better-sqlite3.
export { openSqliteEventStore, SqliteEventStore, fileSize } from './event-store.js';
export { openSqliteReadStore, SqliteReadStore } from './read-store.js';
export { readDbIsStore, type ReadDbLocation } from './read-schema.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from './open.js';
export { STORE_SCHEMA_VERSION } from './schema.js';
