export { openPostgresEventStore } from './open.js';
export { isPostgresUrl, withoutPassword } from './connection.js';
export { dropPostgresReadSchema, openPostgresReadStore } from './read-store.js';
