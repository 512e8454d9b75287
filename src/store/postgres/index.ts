export { openPostgresEventStore } from './open.js';
export { isPostgresUrl, withoutPassword } from './connection.js';
export { openPostgresReadStore } from './read-store.js';
