import pg from 'pg';
import { InputError } from '../../core/errors.js';
import { isPostgresUrl, withoutPassword } from '../../core/location.js';

/** What messages may say about a server: never its password. */
export interface PgTarget {
  /** The URL as given, less its password. */
  location: string;
  /** `host:port`, or `socket-folder:port` for a unix socket. */
  server: string;
  database: string;
  user: string;
}

/**
 * How long a writer waits for another's lock, like SQLite's busy timeout, before StoreBusyError.
 * Lock waits are the only waits that could last for ever, so there is no statement_timeout: a
 * verify or an export of millions of events may rightly take longer than any fixed limit.
 */
export const LOCK_TIMEOUT_MS = 5000;
/**
 * How long a lifecycle command's purge waits for older transactions of the database that can
 * still see the rows it removed (purge-wait.ts): longer than an ANALYZE or a short query, short
 * enough that a forgotten open session costs a warning, not a hang.
 */
export const PURGE_WAIT_MS = 10_000;
/** An unreachable host fails this fast instead of after the operating system's minutes. */
export const CONNECT_TIMEOUT_MS = 5000;

/** Parses a postgres:// URL into what messages may show about it. */
export function describePostgresUrl(url: string): PgTarget {
  try {
    new URL(url);
  } catch {
    throw new InputError(`not a valid PostgreSQL URL: ${withoutPassword(url)}`);
  }
  if (!isPostgresUrl(url)) {
    throw new InputError(`not a PostgreSQL URL: ${withoutPassword(url)}`);
  }
  // pg resolves the defaults (PGHOST, PGUSER, the user's name as database, …): ask it, unconnected.
  const resolved = new pg.Client({ connectionString: url });
  return {
    location: withoutPassword(url),
    server: `${resolved.host}:${resolved.port}`,
    database: resolved.database ?? resolved.user ?? '',
    user: resolved.user ?? '',
  };
}

/** The same URL naming another database on the same server, with the same credentials. */
export function urlForDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(database)}`;
  return other.toString();
}

/** `readOnly`: every transaction of its sessions is READ ONLY, so the server refuses any write. */
export function createPool(url: string, options: { readOnly?: boolean } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    ...(options.readOnly && { options: '-c default_transaction_read_only=on' }),
    max: 8,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 10_000,
    // A CLI that forgets close() still exits once its connections are idle.
    allowExitOnIdle: true,
    lock_timeout: LOCK_TIMEOUT_MS,
    application_name: 'eventlite',
    // An append is one autocommitted statement (append-function.ts) that must read what the
    // writer before it committed: READ COMMITTED, whatever the database's or role's default.
    onConnect: (client) => client.query(`SET default_transaction_isolation = 'read committed'`),
  });
  // An idle connection that the server drops (a restart) emits 'error' on the pool, and an
  // unhandled 'error' event would end the process; the next query just takes a new connection.
  pool.on('error', () => {});
  // The same for a connection checked out but between queries (an import awaiting its next
  // batch): without a listener its 'error' would be uncaught. The next query then fails, and
  // that failure is what the caller sees.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
