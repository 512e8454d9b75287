import { InterruptedError, ProjectionFailedError, TimeoutError } from '../core/errors.js';
import type { ProjectionRow, ReadStore } from '../core/ports.js';
import type { Projection } from '../core/projection.js';
import { staleReason } from '../projections/index.js';
import { domainOf, type AppContext } from './context.js';
import { checkReadModelsOrigin } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';
import { sleep } from './sleep.js';

export interface WaitOptions {
  names?: readonly string[];
  timeoutMs?: number;
  pollMs?: number;
  /** Opens the read models once they exist, when the context has none yet. */
  openReadStore?: () => Promise<ReadStore | undefined>;
}

/**
 * Resolves once every projection has reached the head as it was when the wait began (a
 * "read your writes" barrier for scripts). A failed projection will not get there on its
 * own, so that ends the wait at once; running out of time is a TimeoutError.
 */
export async function waitForProjections(
  ctx: AppContext,
  options: WaitOptions = {},
): Promise<void> {
  const projections = selectProjections(await domainOf(ctx), options.names ?? []);
  const head = await ctx.store.head();
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  let read = ctx.read;
  let opened: ReadStore | undefined;
  let checked = false;
  try {
    for (;;) {
      if (!read && options.openReadStore) read = opened = await options.openReadStore();
      if (read && !checked) {
        await checkReadModelsOrigin(ctx.store, read);
        checked = true;
      }
      const rows = read ? await read.projectionRows() : new Map<string, ProjectionRow>();
      const behind = projectionsBehind(rows, projections, head);
      if (behind.length === 0) return;
      if (ctx.signal?.aborted) throw new InterruptedError();
      if (Date.now() >= deadline) {
        throw new TimeoutError(
          `projections did not reach position ${head} in time: ${behind.join(', ')}`,
        );
      }
      await sleep(options.pollMs ?? 50, ctx.signal);
    }
  } finally {
    await opened?.close();
  }
}

/** "name (at N)" for each projection not yet at `head`; throws if one has failed. */
function projectionsBehind(
  rows: ReadonlyMap<string, ProjectionRow>,
  projections: readonly Projection[],
  head: number,
): string[] {
  const behind: string[] = [];
  for (const projection of projections) {
    const row = rows.get(projection.name);
    const current = row !== undefined && staleReason(row, projection) === undefined;
    if (current && row.status === 'failed') {
      throw new ProjectionFailedError(
        projection.name,
        row.failedPosition ?? 0,
        row.failedStream ?? '',
        row.failedType ?? '',
        row.error ?? 'failed',
      );
    }
    if (!current || row.checkpoint < head) {
      behind.push(`${projection.name} (at ${current ? row.checkpoint : 0})`);
    }
  }
  return behind;
}
