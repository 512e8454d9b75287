// The SQLite adapter: the only code that imports better-sqlite3.
// Laid out as the PostgreSQL adapter is: the event store's files at the top, the read side in read/
// (src/store/README.md lists them).
export { openSqliteEventStore, SqliteEventStore, fileSize } from './store.js';
export { openSqliteReadStore, SqliteReadStore } from './read/store.js';
export { readDbIsStore, type ReadDbLocation } from './read/schema.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from './open.js';
export { STORE_SCHEMA_VERSION } from './schema.js';
