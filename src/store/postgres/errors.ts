import { EventliteError, NotFoundError, StoreBusyError, StoreError } from '../../core/errors.js';
import { CONNECT_TIMEOUT_MS, LOCK_TIMEOUT_MS, type PgTarget } from './connection.js';

// The one place that reads PostgreSQL's error codes (SQLSTATE) and node's socket errors, so
// nothing above the adapter needs to know them. No message built here carries a password:
// they name the server as host:port and the user, never the URL as given.

interface PgLikeError {
  /** SQLSTATE for a server error, errno name (ECONNREFUSED) for a socket error. */
  code?: unknown;
  message: string;
  errors?: unknown[];
}

/** Turns an error from `pg` into our family; ours pass through, anything unknown is returned as is. */
export function translatePgError(error: unknown, target: PgTarget): unknown {
  if (error instanceof EventliteError || !(error instanceof Error)) return error;
  const code = errorCode(error as PgLikeError);
  const { server, user, database, location } = target;
  const cause = { cause: error };
  switch (code) {
    case 'ECONNREFUSED':
      return new StoreError(`cannot reach PostgreSQL at ${server}: connection refused`, cause);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreError(`cannot reach PostgreSQL at ${server}: unknown host`, cause);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StoreError(`cannot reach PostgreSQL at ${server}: no route to host`, cause);
    case 'ENOENT':
      // A unix socket path that does not exist.
      return new StoreError(`cannot reach PostgreSQL at ${server}: no such socket`, cause);
    case 'ECONNRESET':
    case 'EPIPE':
    case '57P01': // admin_shutdown
    case '57P02': // crash_shutdown
      return new StoreError(`lost the connection to PostgreSQL at ${server}`, cause);
    case '28P01': // invalid_password
      return new StoreError(
        `PostgreSQL at ${server} refused the password for user "${user}"`,
        cause,
      );
    case '28000': // invalid_authorization_specification: no pg_hba.conf entry, no such role
      return new StoreError(
        `PostgreSQL at ${server} refused user "${user}" for database "${database}"`,
        cause,
      );
    case '3D000': // invalid_catalog_name
      return new NotFoundError(
        `no database "${database}" at ${server} (create it with createdb ${database})`,
      );
    case '55P03': // lock_not_available: lock_timeout ran out
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return new StoreBusyError(
        `${location} stayed locked by another writer for ${LOCK_TIMEOUT_MS / 1000} s; try again`,
      );
    case '57014': // query_canceled: statement_timeout, or someone cancelled it
      return new StoreBusyError(`${location}: the server cancelled a statement; try again`);
    case '53300': // too_many_connections
    case '57P03': // cannot_connect_now: starting up or shutting down
      return new StoreBusyError(`PostgreSQL at ${server} accepts no connections now; try again`);
    case '53100': // disk_full
      return new StoreError(`cannot write ${location}: the disk is full`, cause);
    case '53200': // out_of_memory
      return new StoreError(`PostgreSQL at ${server} is out of memory`, cause);
    case '25006': // read_only_sql_transaction: a standby
      return new StoreError(`cannot write ${location}: the server is read-only`, cause);
    case '42501': // insufficient_privilege
      return new StoreError(
        `user "${user}" may not do this in ${location}: ${error.message}`,
        cause,
      );
  }
  return translateClientMessage(error, target) ?? error;
}

/** Errors that pg raises itself, with no code: only their text tells them apart. */
function translateClientMessage(error: Error, target: PgTarget): EventliteError | undefined {
  const { server, user } = target;
  const message = error.message;
  if (message === 'timeout exceeded when trying to connect') {
    // Every connection of our own pool stayed in use.
    return new StoreBusyError(`no free connection to PostgreSQL at ${server}; try again`);
  }
  if (/timeout expired|due to connection timeout/.test(message)) {
    return new StoreError(
      `cannot reach PostgreSQL at ${server}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
      { cause: error },
    );
  }
  if (/client password must be a string|password must be a string/.test(message)) {
    return new StoreError(
      `PostgreSQL at ${server} wants a password for user "${user}", and the URL gives none`,
      { cause: error },
    );
  }
  if (/Connection terminated/.test(message)) {
    return new StoreError(`lost the connection to PostgreSQL at ${server}`, { cause: error });
  }
  return undefined;
}

// Node reports a refused connection to a name with several addresses (localhost: ::1 and
// 127.0.0.1) as an AggregateError; its parts carry the code.
function errorCode(error: PgLikeError): string | undefined {
  if (typeof error.code === 'string') return error.code;
  const first = error.errors?.find(
    (part): part is PgLikeError => typeof (part as PgLikeError | null)?.code === 'string',
  );
  return first?.code as string | undefined;
}

/** Runs `work`, translating PostgreSQL errors for `target`. */
export async function withPgErrors<T>(target: PgTarget, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translatePgError(error, target);
  }
}
