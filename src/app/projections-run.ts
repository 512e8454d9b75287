import {
  definitionHashes,
  keepUp,
  runProjections as runRunner,
  staleReason,
  type EventTrace,
  type Progress,
  type RunResult,
  type Stores,
} from '../projections/index.js';
import { InputError } from '../core/errors.js';
import type { Projection } from '../core/projection.js';
import type { SetAsideEvent } from '../core/set-aside.js';
import { domainOf, isoClockOf, readStoreOf, type AppContext } from './context.js';
import { adoptReadModels, claimReadModels } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';
import { FALLBACK_CHECK_MS } from './follow.js';

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
  /** Each projection's result as soon as it is done with, failed or not. */
  onResult?: (result: RunResult) => void;
  /** `--trace`: each event of each committed batch, its statements and the rows they changed. */
  onTrace?: (trace: EventTrace) => void;
  /** Each event a committed batch set aside (the projection's onError: 'skip' or 'park'). */
  onSetAside?: (projection: string, event: SetAsideEvent) => void;
}

/**
 * Brings the projections in line with their definitions (creating, or rebuilding when stale)
 * and catches them up to the head as it is now. Stops between batches when the context's
 * signal aborts; every committed batch stays. A projection that fails stops only itself; the
 * failures are thrown once the others have run (see the runner).
 */
export async function runProjections(
  ctx: AppContext,
  options: RunProjectionsOptions = {},
): Promise<RunResult[]> {
  const selected = selectProjections(await domainOf(ctx), options.names ?? []);
  const stores = storesOf(ctx);
  if (options.until !== undefined && !options.rebuild) {
    await refusePastUntil(stores, selected, options.until);
  }
  const names = selected.map((projection) => projection.name);
  await claimReadModels(stores.events, stores.read, options.rebuild ? { rebuilding: names } : {});
  const results = await runRunner(stores, selected, runnerOptions(ctx, options));
  if (options.rebuild && results.length === selected.length && !ctx.signal?.aborted) {
    await adoptReadModels(stores.events, stores.read);
  }
  return results;
}

/**
 * A catch-up only moves forward: tables already past `until` cannot be taken back to it, and
 * saying "at position 6" after `--until 2` would pass for success. Refused before anything
 * runs; a rebuild (which stale tables get anyway) can stop there.
 */
async function refusePastUntil(
  stores: Stores,
  projections: readonly Projection[],
  until: number,
): Promise<void> {
  for (const projection of projections) {
    const row = await stores.read.projectionRow(projection.name);
    if (!row || row.checkpoint <= until || staleReason(row, projection) !== undefined) continue;
    throw new InputError(
      `projection "${projection.name}" is already at position ${row.checkpoint}, past --until ${until}; a run only moves forward (to go back, rebuild it: eventlite projections rebuild ${projection.name} --until ${until})`,
    );
  }
}

/** `projections rebuild`: the same, rebuilding each from event 1 (up to `until`, if given). */
export function rebuildProjections(
  ctx: AppContext,
  options: Omit<RunProjectionsOptions, 'rebuild'> = {},
): Promise<RunResult[]> {
  return runProjections(ctx, { ...options, rebuild: true });
}

/**
 * Runs the projections, then keeps them caught up until the context's signal aborts. Idle, it
 * waits on the store's ChangeWatch and looks by itself once per `pollMs` (one change-marker
 * read).
 */
export async function followProjections(
  ctx: AppContext,
  options: RunProjectionsOptions & { pollMs?: number } = {},
): Promise<void> {
  const selected = selectProjections(await domainOf(ctx), options.names ?? []);
  const stores = storesOf(ctx);
  await claimReadModels(stores.events, stores.read);
  const runOptions = runnerOptions(ctx, options);
  const watch = await ctx.store.watchChanges();
  try {
    // Taken before the first catch-up, which stops at the head as it was when it began: a
    // commit made while it runs must still count as new, or it waits for the next commit.
    let seen = await ctx.store.changeMarker();
    await runRunner(stores, selected, runOptions);
    const hashes = selected.map((projection) => definitionHashes(projection));
    while (!ctx.signal?.aborted) {
      await watch.next(options.pollMs ?? FALLBACK_CHECK_MS, ctx.signal);
      const current = await ctx.store.changeMarker();
      if (current === seen) continue;
      seen = current;
      for (const [index, projection] of selected.entries()) {
        if (ctx.signal?.aborted) break;
        await keepUp(stores, projection, hashes[index]!, runOptions);
      }
    }
  } finally {
    await watch.close();
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
    onResult: options.onResult,
    onTrace: options.onTrace,
    onApplied: (projection: string, _events: unknown, setAside: readonly SetAsideEvent[]) => {
      for (const event of setAside) options.onSetAside?.(projection, event);
    },
    now: isoClockOf(ctx),
  };
}
export { type EventTrace, type Progress, type RunResult } from '../projections/index.js';
