// The PostgreSQL adapter: the only code that imports pg.
// Laid out as the SQLite adapter is: the event store's files at the top, the read side in read/
// (src/store/README.md lists them).
export { openPostgresEventStore } from './open.js';
export { dropPostgresReadSchema, openPostgresReadStore } from './read/store.js';
export { judgePostgresQuery } from './read/query-judge.js';
export { openPostgresQueryStore } from './read/replica.js';
