import {
  catchUpProjection,
  definitionHashes,
  runProjections as runRunner,
  type Progress,
  type RunResult,
  type Stores,
} from '../projections/index.js';
import { domainOf, isoClockOf, readStoreOf, type AppContext } from './context.js';
import { adoptReadModels, claimReadModels } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';
import { sleep } from './sleep.js';

export interface RunProjectionsOptions {
  /** Projections to run, in this order (default: all the domain defines). */
  names?: readonly string[];
  batchSize?: number;
  /** Stop at this position even if the head is further on. */
  until?: number;
  /** Rebuild from event 1 even when the stored tables match the definition. */
  rebuild?: boolean;
  onProgress?: (progress: Progress) => void;
  /** Why something unusual is happening (a stale projection being rebuilt). */
  onNotice?: (text: string) => void;
}

/**
 * Brings the projections in line with their definitions (creating, or rebuilding when stale)
 * and catches them up to the head as it is now. Stops between batches when the context's
 * signal aborts; every committed batch stays.
 */
export async function runProjections(
  ctx: AppContext,
  options: RunProjectionsOptions = {},
): Promise<RunResult[]> {
  const selected = selectProjections(await domainOf(ctx), options.names ?? []);
  const stores = storesOf(ctx);
  const names = selected.map((projection) => projection.name);
  await claimReadModels(stores.events, stores.read, options.rebuild ? { rebuilding: names } : {});
  const results = await runRunner(stores, selected, runnerOptions(ctx, options));
  if (options.rebuild && results.length === selected.length && !ctx.signal?.aborted) {
    await adoptReadModels(stores.events, stores.read);
  }
  return results;
}

/** `projections rebuild`: the same, rebuilding each from event 1. */
export function rebuildProjections(
  ctx: AppContext,
  options: Omit<RunProjectionsOptions, 'rebuild' | 'until'> = {},
): Promise<RunResult[]> {
  return runProjections(ctx, { ...options, rebuild: true });
}

/**
 * Runs the projections, then keeps them caught up until the context's signal aborts. Idle
 * cost is one change-marker look on the store per poll.
 */
export async function followProjections(
  ctx: AppContext,
  options: RunProjectionsOptions & { pollMs?: number } = {},
): Promise<void> {
  const selected = selectProjections(await domainOf(ctx), options.names ?? []);
  const stores = storesOf(ctx);
  await claimReadModels(stores.events, stores.read);
  const runOptions = runnerOptions(ctx, options);
  // Taken before the first catch-up, which stops at the head as it was when it began: a
  // commit made while it runs must still count as new, or it waits for the next commit.
  let seen = await ctx.store.changeMarker();
  await runRunner(stores, selected, runOptions);
  const hashes = selected.map((projection) => definitionHashes(projection));
  while (!ctx.signal?.aborted) {
    await sleep(options.pollMs ?? 100, ctx.signal);
    const current = await ctx.store.changeMarker();
    if (current === seen) continue;
    seen = current;
    for (const [index, projection] of selected.entries()) {
      if (ctx.signal?.aborted) break;
      await catchUpProjection(stores, projection, hashes[index]!, runOptions);
    }
  }
}

function storesOf(ctx: AppContext): Stores {
  return { events: ctx.store, read: readStoreOf(ctx) };
}

function runnerOptions(ctx: AppContext, options: RunProjectionsOptions) {
  return {
    batchSize: options.batchSize,
    until: options.until,
    rebuild: options.rebuild,
    signal: ctx.signal,
    onProgress: options.onProgress,
    onNotice: options.onNotice,
    now: isoClockOf(ctx),
  };
}
export { type Progress, type RunResult } from '../projections/index.js';
