import { HandlerFailure, SetupFailure, type ProjectionSchema } from '../core/ports.js';
import type { Projection } from '../core/projection.js';
import {
  DEFAULT_BATCH_SIZE,
  failProjection,
  nextBatch,
  setupFailedError,
  setupFailureRecord,
  traceBatch,
  yieldToEventLoop,
  type CatchUpOptions,
  type Stores,
} from './catch-up.js';
import type { DefinitionHashes } from './definition.js';
import { applyWithPolicy, type ParkedStreams } from './on-error.js';
import type { SetAsideEvent } from '../core/set-aside.js';

/**
 * Rebuilds a projection from event 1 without ever showing a half-built table: the read store
 * builds the new tables apart from the live ones, then swaps them in with one short
 * transaction and sets the checkpoint to where the build stopped. Readers see the old complete
 * tables until then and the new complete tables after; the usual catch-up then takes the
 * projection on from there to the head.
 *
 * Returns the checkpoint the rebuilt tables stand at, or undefined when interrupted (the old
 * tables are then left as they were).
 */
export async function rebuildProjection(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: CatchUpOptions,
): Promise<number | undefined> {
  const build = await asProjectionFailure(stores, projection, options, () =>
    stores.read.startRebuild(projectionSchema(projection, hashes), options.now()),
  );
  try {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const target = Math.min(await stores.events.head(), options.until ?? Infinity);
    let checkpoint = 0;
    // What the build sets aside replaces the projection's set-aside events when it swaps in.
    const parked: ParkedStreams = new Map();
    const setAside: SetAsideEvent[] = [];
    while (checkpoint < target) {
      if (options.signal?.aborted) {
        await build.abandon();
        return undefined;
      }
      const next = await nextBatch(stores.events, projection, checkpoint, target, batchSize);
      let trace = () => {};
      const { batch } = await asProjectionFailure(stores, projection, options, () =>
        applyWithPolicy(projection, next, parked, (attempt) => build.apply(attempt), {
          prepare: (attempt) => (trace = traceBatch(attempt, projection, options)),
        }),
      );
      setAside.push(...(batch.setAside ?? []));
      trace();
      options.onApplied?.(projection.name, batch.events, batch.setAside ?? []);
      checkpoint = next.to;
      options.onProgress?.({
        projection: projection.name,
        done: checkpoint,
        total: target,
        checkpoint,
        target,
      });
      await yieldToEventLoop();
    }
    // The swap refreshes materialized views first, which may fail on the data.
    await asProjectionFailure(stores, projection, options, () =>
      build.swapIn(checkpoint, options.now(), setAside),
    );
    return checkpoint;
  } catch (error) {
    // The old tables stay, so the mark goes too. If the read store is what failed, clearing
    // may fail as well; the first error is the one to report.
    await build.abandon().catch(() => {});
    throw error;
  }
}

/**
 * Runs a step of the build; a HandlerFailure or a SetupFailure marks the projection failed
 * during a rebuild (its old tables stay).
 */
async function asProjectionFailure<T>(
  stores: Stores,
  projection: Projection,
  options: CatchUpOptions,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SetupFailure) {
      const record = setupFailureRecord(error, 'rebuild');
      await stores.read.markFailed(projection.name, record, options.now());
      throw setupFailedError(projection, error);
    }
    if (!(error instanceof HandlerFailure)) throw error;
    throw await failProjection(stores.read, projection, error, 'rebuild', options.now());
  }
}

/** What the read store needs of a projection: its SQL and the hashes that identify it. */
export function projectionSchema(
  projection: Projection,
  hashes: DefinitionHashes,
): ProjectionSchema {
  return {
    name: projection.name,
    version: projection.version,
    definitionHash: hashes.definition,
    schemaHash: hashes.schema,
    setup: projection.setup,
    views: projection.views ?? [],
    materializedViews: projection.materializedViews ?? [],
  };
}
