export { openPostgresEventStore } from './open.js';
export { isPostgresUrl } from './connection.js';
