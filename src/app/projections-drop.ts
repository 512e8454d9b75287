import { NotFoundError } from '../core/errors.js';
import { readStoreOf, type ReadContext } from './context.js';

/** NotFound unless the read models hold a projection of that name. */
export async function assertProjectionStored(ctx: ReadContext, name: string): Promise<void> {
  const read = readStoreOf(ctx);
  if (!(await read.projectionRows()).has(name)) throw notStored(name, read.location);
}

/**
 * Drops a projection's tables, views and bookkeeping row from the read models. It need not be
 * in the domain any more (dropping what a removed projection left behind is the point); if it
 * still is, the next run sets it up afresh from event 1.
 */
export async function dropProjection(ctx: ReadContext, name: string): Promise<void> {
  const read = readStoreOf(ctx);
  if (!(await read.dropProjection(name))) throw notStored(name, read.location);
}

function notStored(name: string, location: string): NotFoundError {
  return new NotFoundError(`no projection "${name}" in the read models at ${location}`);
}
