import { StoreError } from '../core/errors.js';
import type { Projection } from '../core/projection.js';
import { headPosition, readLog, type Db, type StoredEvent } from '../store/index.js';
import { applyBatch, failProjection, HandlerFailure, type Batch } from './apply-batch.js';
import type { DefinitionHashes } from './definition.js';
import { readProjectionRow } from './registry.js';

export const DEFAULT_BATCH_SIZE = 2000;

export interface Progress {
  projection: string;
  /** Events (positions) covered since this catch-up started, and how many it set out to cover. */
  done: number;
  total: number;
  checkpoint: number;
  target: number;
}

export interface CatchUpOptions {
  batchSize?: number;
  /** Stop at this position even if the head is further on. */
  until?: number;
  /** Checked between batches: an interrupted catch-up stops on a committed batch. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** ISO time for `last_run_at`, from the edge. */
  now: () => string;
}

export interface Target {
  db: Db;
  path: string;
}

/**
 * Catches one projection up from its checkpoint to the head as it is now (or `until`), one
 * batch per transaction, and returns the checkpoint it reached. Each batch re-reads the
 * checkpoint, so a second runner on the same projection only ever makes both finish sooner.
 */
export async function catchUpProjection(
  store: Db,
  read: Target,
  projection: Projection,
  hashes: DefinitionHashes,
  options: CatchUpOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = Math.min(headPosition(store), options.until ?? Infinity);
  const start = currentCheckpoint(read.db, projection, hashes);
  let checkpoint = start;
  while (checkpoint < target && !options.signal?.aborted) {
    const batch = nextBatch(store, projection, checkpoint, target, batchSize);
    const guard = {
      version: projection.version,
      definitionHash: hashes.definition,
      at: options.now(),
    };
    try {
      applyBatch(read.db, projection, batch, guard);
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      throw failProjection(read.db, projection, error, {
        path: read.path,
        during: 'catch-up',
        at: options.now(),
      });
    }
    // Whether this runner's batch won or another runner's did, carry on from the stored value.
    checkpoint = currentCheckpoint(read.db, projection, hashes);
    options.onProgress?.({
      projection: projection.name,
      done: Math.min(checkpoint, target) - start,
      total: Math.max(target - start, 0),
      checkpoint,
      target,
    });
    await yieldToEventLoop();
  }
  return checkpoint;
}

/**
 * Between batches (never inside one: a better-sqlite3 transaction must not span an await),
 * let signal handlers and the progress spinner run, so Ctrl-C stops on a committed batch.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function currentCheckpoint(db: Db, projection: Projection, hashes: DefinitionHashes): number {
  const row = readProjectionRow(db, projection.name);
  if (!row || row.version !== projection.version || row.definitionHash !== hashes.definition) {
    throw new StoreError(
      `projection "${projection.name}" was replaced by another process with a different definition; run again`,
    );
  }
  return row.checkpoint;
}

/**
 * The next events after `checkpoint`, up to `batchSize` of the types the projection handles.
 * Positions are gapless in any snapshot, so a short batch means nothing else up to `target`
 * concerns this projection and the checkpoint may jump straight there.
 */
export function nextBatch(
  store: Db,
  projection: Projection,
  checkpoint: number,
  target: number,
  batchSize: number,
): Batch {
  const types = Object.keys(projection.on);
  const events: StoredEvent[] = [];
  if (types.length > 0) {
    for (const event of readLog(store, { from: checkpoint + 1, limit: batchSize, types })) {
      if (event.position > target) break;
      events.push(event);
    }
  }
  const last = events[events.length - 1];
  const to = events.length === batchSize && last ? last.position : target;
  return { events, from: checkpoint, to };
}
