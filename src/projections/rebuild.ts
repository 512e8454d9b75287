import type { Projection } from '../core/projection.js';
import { headPosition, openScratchDatabase, type Db } from '../store/index.js';
import { applyEvents, failProjection, HandlerFailure } from './apply-batch.js';
import {
  DEFAULT_BATCH_SIZE,
  nextBatch,
  yieldToEventLoop,
  type CatchUpOptions,
  type Target,
} from './catch-up.js';
import type { DefinitionHashes } from './definition.js';
import { markRebuilding } from './registry.js';
import { removeAbandonedScratch, removeScratch, scratchPath } from './scratch-file.js';
import { swapInRebuiltTables } from './swap.js';

/**
 * Rebuilds a projection from event 1 without ever showing a half-built table, and without
 * holding the read database's write lock while it replays:
 *
 * 1. the new tables are built in a scratch SQLite file (no lock on the read database at all,
 *    which matters when `--read-db` is the store: a long write transaction there would block
 *    every append for the whole replay);
 * 2. one short transaction on the read database drops the old tables and copies the new ones
 *    in, and sets the checkpoint to where the scratch build stopped. Readers see the old
 *    complete tables until it commits and the new complete tables after; appends wait only for
 *    the copy. The usual catch-up then takes the projection on from there to the head.
 *
 * Returns the checkpoint the rebuilt tables stand at, or undefined when interrupted (the old
 * tables are then left as they were).
 */
export async function rebuildProjection(
  store: Db,
  read: Target,
  projection: Projection,
  hashes: DefinitionHashes,
  options: CatchUpOptions,
): Promise<number | undefined> {
  removeAbandonedScratch(read.path);
  const path = scratchPath(read.path, projection.name, process.pid);
  removeScratch(path);
  read.db.transaction(() => markRebuilding(read.db, projection.name, process.pid, options.now()))();
  const scratch = openScratchDatabase(path);
  try {
    for (const sql of projection.setup) scratch.exec(sql);
    const built = await replayInto(store, scratch, read, projection, options);
    if (built === undefined) {
      read.db.transaction(() => markRebuilding(read.db, projection.name, null, null))();
      return undefined;
    }
    scratch.close();
    swapInRebuiltTables(read.db, path, projection, hashes, {
      checkpoint: built,
      at: options.now(),
    });
    return built;
  } catch (error) {
    // The old tables stay, so the mark goes too. If the read database is what failed, clearing
    // may fail as well; the first error is the one to report.
    try {
      read.db.transaction(() => markRebuilding(read.db, projection.name, null, null))();
    } catch {
      // reported below
    }
    throw error;
  } finally {
    if (scratch.open) scratch.close();
    removeScratch(path);
  }
}

async function replayInto(
  store: Db,
  scratch: Db,
  read: Target,
  projection: Projection,
  options: CatchUpOptions,
): Promise<number | undefined> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = Math.min(headPosition(store), options.until ?? Infinity);
  let checkpoint = 0;
  while (checkpoint < target) {
    if (options.signal?.aborted) return undefined;
    const batch = nextBatch(store, projection, checkpoint, target, batchSize);
    try {
      scratch.transaction(() => applyEvents(scratch, projection, batch.events))();
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      throw failProjection(read.db, projection, error, {
        path: read.path,
        during: 'rebuild',
        at: options.now(),
      });
    }
    checkpoint = batch.to;
    options.onProgress?.({
      projection: projection.name,
      done: checkpoint,
      total: target,
      checkpoint,
      target,
    });
    await yieldToEventLoop();
  }
  return checkpoint;
}
