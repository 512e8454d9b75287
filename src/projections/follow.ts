import type { Projection } from '../core/projection.js';
import type { Db } from '../store/index.js';
import { catchUpProjection, type Target } from './catch-up.js';
import { definitionHashes } from './definition.js';
import { runProjections, type RunOptions } from './runner.js';
import { sleep } from '../store/sleep.js';

export interface FollowOptions extends RunOptions {
  signal: AbortSignal;
  /** How often to look for new commits when idle. */
  pollMs?: number;
}

/**
 * Runs the projections, then keeps them caught up until `signal` aborts. Idle cost is one
 * `PRAGMA data_version` on the store per poll: it changes only when another connection has
 * committed, so the log is not re-read in vain.
 */
export async function followProjections(
  store: Db,
  read: Target,
  projections: readonly Projection[],
  options: FollowOptions,
): Promise<void> {
  // Taken before the first catch-up, which stops at the head as it was when it began: a
  // commit made while it runs must still count as new, or it waits for the next commit.
  let seen = dataVersion(store);
  await runProjections(store, read, projections, options);
  const hashes = projections.map(definitionHashes);
  while (!options.signal.aborted) {
    await sleep(options.pollMs ?? 100, options.signal);
    const current = dataVersion(store);
    if (current === seen) continue;
    seen = current;
    for (const [index, projection] of projections.entries()) {
      if (options.signal.aborted) break;
      await catchUpProjection(store, read, projection, hashes[index]!, options);
    }
  }
}

function dataVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number;
}
