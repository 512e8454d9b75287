import type pg from 'pg';
import { quote } from './connection.js';

// A rebuild builds its tables in a scratch schema, `eventlite_rebuild_<name>_<pid>`, and swaps
// them in with one short transaction. Its client holds a session-level advisory lock named
// after the scratch schema for the whole build: the server releases it when the connection
// ends, however the process ended, so a scratch schema whose lock is free belongs to a dead
// rebuild (on whichever host) and the next rebuild of that projection drops it.

export function scratchSchemaName(projection: string, pid: number): string {
  return `eventlite_rebuild_${safeName(projection)}_${pid}`;
}

/** Lower case and short enough for PostgreSQL's 63-byte names; the pid keeps it apart. */
function safeName(projection: string): string {
  return projection
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 32);
}

export const TRY_LOCK = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked';
export const UNLOCK = 'SELECT pg_advisory_unlock(hashtextextended($1, 0))';
export const lockName = (scratch: string) => `eventlite_rebuild ${scratch}`;

/** Drops this projection's scratch schemas whose rebuild has died, and our own leftover. */
export async function dropAbandonedScratch(
  client: pg.ClientBase,
  projection: string,
  ours: string,
): Promise<void> {
  const found = await client.query<{ name: string }>(
    'SELECT nspname AS name FROM pg_namespace WHERE nspname ~ $1',
    [`^eventlite_rebuild_${safeName(projection)}_[0-9]+$`],
  );
  for (const { name } of found.rows) {
    if (name === ours) {
      await client.query(`DROP SCHEMA IF EXISTS ${quote(name)} CASCADE`);
      continue;
    }
    const probe = await client.query<{ locked: boolean }>(TRY_LOCK, [lockName(name)]);
    if (!probe.rows[0]?.locked) continue; // its rebuild is still running
    await client.query(`DROP SCHEMA IF EXISTS ${quote(name)} CASCADE`);
    await client.query(UNLOCK, [lockName(name)]);
  }
}
