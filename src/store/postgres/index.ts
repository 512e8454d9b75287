export { openPostgresEventStore } from './open.js';
export { dropPostgresReadSchema, openPostgresReadStore } from './read-store.js';
