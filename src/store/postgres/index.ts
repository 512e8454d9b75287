export { openPostgresEventStore } from './open.js';
export { openPostgresReadStore } from './read-store.js';
