import pg from 'pg';
import { EventliteError, StoreBusyError, StoreError } from '../../core/errors.js';

// The read store's one PostgreSQL error translator: it sorts a failure into the machine's
// problem (the server went away, the disk is full, a lock wait ran out: an EventliteError,
// nothing a projection's author can fix) or not (undefined: a handler's SQL error, a query's
// syntax error, which the caller reports in its own terms).
// TODO(pg-events): fold into src/store/postgres/errors.ts once that branch provides it.

interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// pg reports a dropped socket with plain Errors that carry no code.
const LOST_CONNECTION =
  /Connection terminated|connection error and is not queryable|Client was closed|timeout expired/i;

/** The EventliteError for a failure of the machine, or undefined for anything else. */
export function machineFailure(error: unknown, location: string): EventliteError | undefined {
  if (error instanceof EventliteError) return error;
  if (!(error instanceof Error)) return undefined;
  const { code } = error as PgLikeError;
  const message = error.message;
  const options = { cause: error };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new StoreError(`cannot reach ${location}: ${message}`, options);
  }
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) {
    return LOST_CONNECTION.test(message)
      ? new StoreError(`lost the connection to ${location}: ${message}`, options)
      : undefined;
  }
  if (code === '53300' || code === '55P03' || code === '40P01' || code === '40001') {
    return new StoreBusyError(`${location} stayed locked by another process; try again`);
  }
  if (code === '57014') return new StoreBusyError(`${location}: ${message}; try again`);
  if (code === '53100')
    return new StoreError(`cannot write ${location}: the disk is full`, options);
  if (code.startsWith('08') || code.startsWith('57P')) {
    return new StoreError(`lost the connection to ${location}: ${message}`, options);
  }
  if (code.startsWith('28') || code === '3D000') {
    return new StoreError(`cannot connect to ${location}: ${message}`, options);
  }
  if (code === '25006' || code === '42501') {
    return new StoreError(`cannot write ${location}: ${message}`, options);
  }
  if (code === 'XX001' || code === 'XX002') {
    return new StoreError(`${location} is damaged: ${message}`, options);
  }
  if (code.startsWith('53') || code.startsWith('58') || code.startsWith('XX')) {
    return new StoreError(`${location}: ${message}`, options);
  }
  return undefined;
}

/** Runs `work`; a machine failure becomes its EventliteError, anything else a StoreError. */
export async function withReadStoreErrors<T>(location: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStoreError(error, location);
  }
}

/** Outside a handler or a query, any database error is the store's problem. */
export function asStoreError(error: unknown, location: string): unknown {
  const machine = machineFailure(error, location);
  if (machine) return machine;
  if (error instanceof pg.DatabaseError) {
    return new StoreError(`${location}: ${error.message}`, { cause: error });
  }
  return error;
}
