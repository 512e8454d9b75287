/**
 * How often a follower checks for new events by itself, between the wake-ups its ChangeWatch
 * gives it (a PostgreSQL notification, a change to a SQLite file): the fallback for a
 * notification lost with its connection or a file system that cannot be watched. Idle, that
 * is one cheap look a second.
 */
export const FALLBACK_CHECK_MS = 1000;
