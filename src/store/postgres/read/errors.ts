import pg from 'pg';
import { EventliteError, StoreError } from '../../../core/errors.js';
import type { PgTarget } from '../connection.js';
import { translatePgError } from '../errors.js';

// The read store's view of the adapter's one error translator (../errors.ts): it sorts a
// failure into the machine's problem (the server went away, the disk is full, a lock wait ran
// out: an EventliteError that no projection author can fix) or not (a handler's SQL error, a
// query's syntax error, which the caller reports in its own terms).

/** The EventliteError for a failure of the machine, or undefined for anything else. */
export function machineFailure(error: unknown, target: PgTarget): EventliteError | undefined {
  const translated = translatePgError(error, target);
  return translated instanceof EventliteError ? translated : undefined;
}

/** Outside a handler or a query, any database error is the store's problem. */
export function asStoreError(error: unknown, target: PgTarget): unknown {
  const machine = machineFailure(error, target);
  if (machine) return machine;
  if (error instanceof pg.DatabaseError) {
    return new StoreError(`${target.location}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Runs `work`; a machine failure becomes its EventliteError, a database error a StoreError. */
export async function withReadStoreErrors<T>(target: PgTarget, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStoreError(error, target);
  }
}
