import { InterruptedError, ProjectionFailedError, TimeoutError } from '../core/errors.js';
import type { ChangeWatch, ProjectionRow, ReadStore } from '../core/ports.js';
import type { Projection } from '../core/projection.js';
import { staleReason } from '../projections/index.js';
import { domainOf, type AppContext } from './context.js';
import { checkReadModelsOrigin } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';
import { FALLBACK_CHECK_MS } from './follow.js';
import { sleep } from './sleep.js';

/** A wait with no timeout given ends after this long: nothing may be running the projections. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

export interface WaitOptions {
  names?: readonly string[];
  /** Default DEFAULT_WAIT_TIMEOUT_MS; Infinity waits for as long as it takes. */
  timeoutMs?: number;
  /**
   * How often to look again when nothing wakes the wait: the read models' ChangeWatch wakes
   * it when a checkpoint moves; before they exist, this is a plain poll.
   */
  pollMs?: number;
  /**
   * Milliseconds now, for the deadline; default the system's. Not the context's clock: that
   * one stamps events, and `--clock` may have fixed it for a demo.
   */
  now?: () => number;
  /** Opens the read models once they exist, when the context has none yet. */
  openReadStore?: () => Promise<ReadStore | undefined>;
  /**
   * A read replica that `query` reads (`--query-db`): the wait returns only once it has
   * replayed the commits that hold the checkpoints, so that a query there sees them. `open`
   * gives its read models once it holds some; it throws when it is no replica of the read
   * database's server.
   */
  replica?: { location: string; open: () => Promise<ReadStore | undefined> };
}

/**
 * Resolves once every projection has reached the head as it was when the wait began (a
 * "read your writes" barrier for scripts). A failed projection will not get there on its
 * own, so that ends the wait at once; running out of time is a TimeoutError that says whether
 * the checkpoints moved meanwhile (a runner too slow) or not (no runner at all), and what to
 * do.
 */
export async function waitForProjections(
  ctx: AppContext,
  options: WaitOptions = {},
): Promise<void> {
  const projections = selectProjections(await domainOf(ctx), options.names ?? []);
  const head = await ctx.store.head();
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = now() + timeoutMs;
  let read = ctx.read;
  let opened: ReadStore | undefined;
  let watch: ChangeWatch | undefined;
  let first: ReadonlyMap<string, number> | undefined;
  let checked = false;
  // Opened first: a query database that is no replica of the read database fails at once.
  let replica = await options.replica?.open();
  try {
    for (;;) {
      if (!read && options.openReadStore) read = opened = await options.openReadStore();
      if (read && !checked) {
        await checkReadModelsOrigin(ctx.store, read);
        checked = true;
      }
      // Watching before the rows are read: a checkpoint moved after that wakes the wait.
      if (read && !watch) watch = await read.watchChanges();
      const rows = read ? await read.projectionRows() : new Map<string, ProjectionRow>();
      const behind = projectionsBehind(rows, projections, head);
      if (behind.length === 0) {
        if (!options.replica) return;
        replica ??= await options.replica.open();
        const copied = replica ? await replica.projectionRows() : new Map<string, ProjectionRow>();
        const lagging = projectionsBehind(copied, projections, head);
        if (lagging.length === 0) return;
        if (ctx.signal?.aborted) throw new InterruptedError();
        if (now() >= deadline) {
          throw await replicaTimedOut(head, timeoutMs, options.replica.location, lagging, replica);
        }
      } else {
        first ??= checkpointsOf(behind);
        if (ctx.signal?.aborted) throw new InterruptedError();
        const left = deadline - now();
        if (left <= 0) throw timedOut(head, timeoutMs, behind, first);
        // The watch wakes on the read database's checkpoints; a standby's replay it cannot see.
        if (watch) {
          await watch.next(Math.min(options.pollMs ?? FALLBACK_CHECK_MS, left), ctx.signal);
          continue;
        }
      }
      await sleep(options.pollMs ?? 50, ctx.signal);
    }
  } finally {
    await watch?.close();
    await opened?.close();
    await replica?.close();
  }
}

/** The read database has the checkpoints, the replica has not replayed them in time. */
async function replicaTimedOut(
  head: number,
  timeoutMs: number,
  location: string,
  lagging: readonly Behind[],
  replica: ReadStore | undefined,
): Promise<TimeoutError> {
  const where = replica
    ? lagging.map(({ name, checkpoint }) => `${name} at ${checkpoint} there`).join(', ')
    : 'it holds no read models yet';
  // Only for the message: a replica that cannot say is still the one that lags.
  const lag = await replica?.replicaLag?.().catch(() => undefined);
  return new TimeoutError(
    `projections reached position ${head}, but the query database ${location} did not replay ` +
      `them within ${timeoutMs / 1000} s (${where}${lag ? `; ${lag}` : ''}): it lags behind its ` +
      'primary; wait longer with --timeout SECONDS, or query the read database itself',
  );
}

interface Behind {
  name: string;
  checkpoint: number;
}

function checkpointsOf(behind: readonly Behind[]): Map<string, number> {
  return new Map(behind.map(({ name, checkpoint }) => [name, checkpoint]));
}

function timedOut(
  head: number,
  timeoutMs: number,
  behind: readonly Behind[],
  first: ReadonlyMap<string, number>,
): TimeoutError {
  const where = behind.map(({ name, checkpoint }) => `${name} (at ${checkpoint})`).join(', ');
  const moved = behind.flatMap(({ name, checkpoint }) => {
    const before = first.get(name) ?? 0;
    return checkpoint === before ? [] : [`${name} ${before} → ${checkpoint}`];
  });
  const seconds = `${timeoutMs / 1000} s`;
  const advice =
    moved.length === 0
      ? 'nothing moved their checkpoints meanwhile, so nothing seems to be running them: run "eventlite projections run" (or keep "eventlite projections run --follow" going) and wait again'
      : `their checkpoints moved meanwhile (${moved.join(', ')}), so a runner is at work: wait longer with --timeout SECONDS`;
  return new TimeoutError(
    `projections did not reach position ${head} within ${seconds}: ${where}; ${advice}`,
  );
}

/** Each projection not yet at `head`, with its checkpoint; throws if one has failed. */
function projectionsBehind(
  rows: ReadonlyMap<string, ProjectionRow>,
  projections: readonly Projection[],
  head: number,
): Behind[] {
  const behind: Behind[] = [];
  for (const projection of projections) {
    const row = rows.get(projection.name);
    const current = row !== undefined && staleReason(row, projection) === undefined;
    if (current && row.status === 'failed') {
      throw new ProjectionFailedError(
        projection.name,
        row.failedPosition,
        row.failedStream,
        row.failedType,
        row.error ?? 'failed',
      );
    }
    if (!current || row.checkpoint < head) {
      behind.push({ name: projection.name, checkpoint: current ? row.checkpoint : 0 });
    }
  }
  return behind;
}
