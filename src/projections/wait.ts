import { InterruptedError, ProjectionFailedError, TimeoutError } from '../core/errors.js';
import type { Projection } from '../core/projection.js';
import { headPosition, type Db } from '../store/index.js';
import { staleReason } from './definition.js';
import { hasProjectionTables, openReadOnlyIfExists } from './read-only.js';
import { readProjectionRows } from './registry.js';
import { sleep } from '../store/sleep.js';

export interface WaitOptions {
  readDbPath: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * Resolves once every projection has reached the head as it was when the wait began (a
 * "read your writes" barrier for scripts). A failed projection will not get there on its
 * own, so that ends the wait at once; running out of time is a TimeoutError.
 */
export async function waitForProjections(
  store: Db,
  projections: readonly Projection[],
  options: WaitOptions,
): Promise<void> {
  const head = headPosition(store);
  const deadline = Date.now() + (options.timeoutMs ?? Infinity);
  let read: Db | undefined;
  try {
    for (;;) {
      read ??= openReadOnlyIfExists(options.readDbPath);
      const behind = projectionsBehind(read, projections, head);
      if (behind.length === 0) return;
      if (options.signal?.aborted) throw new InterruptedError();
      if (Date.now() >= deadline) {
        throw new TimeoutError(
          `projections did not reach position ${head} in time: ${behind.join(', ')}`,
        );
      }
      await sleep(options.pollMs ?? 50);
    }
  } finally {
    read?.close();
  }
}

/** "name (at N)" for each projection not yet at `head`; throws if one has failed. */
function projectionsBehind(
  read: Db | undefined,
  projections: readonly Projection[],
  head: number,
): string[] {
  const rows = read && hasProjectionTables(read) ? readProjectionRows(read) : new Map();
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
