import pg from 'pg';
import { StoreError } from '../../../core/errors.js';
import {
  CONNECT_TIMEOUT_MS,
  describePostgresUrl,
  LOCK_TIMEOUT_MS,
  type PgTarget,
} from '../connection.js';
import { asStoreError } from './errors.js';
import { readStoreTypes } from './type-parsers.js';

/** The read store's connections and the names its SQL is built from. */
export interface ReadConnection {
  pool: pg.Pool;
  /** For messages: the server, and as `location` the URL without its password and the schema. */
  target: PgTarget;
  /** The read schema's name, and the same quoted for SQL. */
  schema: string;
  quotedSchema: string;
}

// Every session runs with the same settings, whatever the server's or the role's defaults,
// so that a date prints the same from every runner and a rebuild reproduces the same text,
// and so that strings are read as sql-text.ts reads them (a backslash escapes only in E'…').
const SESSION_SETTINGS = `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET standard_conforming_strings = on`;

export interface ReadConnectionOptions {
  /** What pg_stat_activity shows for these sessions; default `eventlite`. */
  applicationName?: string;
  /** Runs on each new session after the settings; throwing refuses the session. */
  checkSession?: (client: pg.ClientBase) => Promise<void>;
}

export function openReadConnection(
  url: string,
  schema: string,
  options: ReadConnectionOptions = {},
): ReadConnection {
  const server = describePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    // A runner does one thing at a time; a rebuild holds one client for its whole build.
    max: 4,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    // Like SQLite's busy timeout: a runner queued behind another's batch waits this long.
    lock_timeout: LOCK_TIMEOUT_MS,
    types: readStoreTypes,
    // Statements are written back to back and answered in order: one round trip for many.
    pipeline: true,
    application_name: options.applicationName ?? 'eventlite',
    onConnect: async (client) => {
      // A connection that dies while checked out fails its queries, which report it; without a
      // listener its 'error' event would also bring the whole process down.
      client.on('error', () => {});
      await client.query(SESSION_SETTINGS);
      await options.checkSession?.(client);
    },
  });
  // An idle client whose server went away: the next checkout connects afresh.
  pool.on('error', () => {});
  const target = { ...server, location: `${server.location} (schema ${schema})` };
  return { pool, target, schema, quotedSchema: quote(schema) };
}

export function quote(identifier: string): string {
  return pg.escapeIdentifier(identifier);
}

/** A client of the pool for `work`; a client that failed mid-transaction is discarded. */
export async function withClient<T>(
  connection: ReadConnection,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await checkout(connection);
  let broken = false;
  try {
    return await work(client);
  } catch (error) {
    broken = !(await isIdle(client));
    throw error;
  } finally {
    client.release(broken);
  }
}

export async function checkout(connection: ReadConnection): Promise<pg.PoolClient> {
  try {
    return await connection.pool.connect();
  } catch (error) {
    throw asStoreError(error, connection.target);
  }
}

/** Rolls back whatever is open; false when the connection cannot even do that. */
export async function isIdle(client: pg.ClientBase): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

/** READ COMMITTED whatever the database's default, as the event store's writers use it. */
export const BEGIN_WRITE = 'BEGIN ISOLATION LEVEL READ COMMITTED';

/**
 * Runs `work` in one transaction on `client`. Database errors outside `work`'s own handling
 * become store errors; `work` may throw anything, and the transaction is then rolled back.
 */
export async function inTransaction<T>(
  client: pg.ClientBase,
  target: PgTarget,
  work: () => Promise<T>,
  begin = BEGIN_WRITE,
): Promise<T> {
  try {
    await client.query(begin);
  } catch (error) {
    throw asStoreError(error, target);
  }
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await isIdle(client);
    throw error;
  }
  let committed: pg.QueryResult;
  try {
    committed = await client.query('COMMIT');
  } catch (error) {
    await isIdle(client);
    throw asStoreError(error, target);
  }
  // COMMIT of a transaction that an error aborted rolls it back instead, without an error.
  if (committed.command !== 'COMMIT') {
    throw new StoreError(`${target.location}: the transaction was rolled back`);
  }
  return result;
}

/** Locks out other writers of the read schema's catalog until the transaction ends. */
export async function lockReadSchema(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `eventlite_read ${schema}`,
  ]);
}

/**
 * Runs `attempt` again (twice at most) when the server broke a deadlock by aborting it. A query
 * and a swap can lock the same tables and views in opposite orders; the loser's transaction
 * rolled back whole, so trying again is safe. Other errors pass through untouched.
 */
export async function retryDeadlocks<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 3 || !isDeadlock(error)) throw error;
    }
  }
}

export function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}
