import type { RecordedEvent } from '../core/events.js';
import type { ReadLogOptions } from '../core/ports.js';
import type { AppContext } from './context.js';
import { sleep } from './sleep.js';
import { readingFor, upcastEach, type UpcastOption } from './upcast.js';

/**
 * The global log in position order, a page at a time; with `upcast`, as the domain reads it
 * (`types` then also finds the old names of those types).
 */
export function readLogEvents(
  ctx: AppContext,
  options: ReadLogOptions & UpcastOption = {},
): AsyncIterable<RecordedEvent[]> {
  if (!options.upcast) return ctx.store.readLog(options);
  return (async function* () {
    const reading = await readingFor(ctx, options);
    if (reading === undefined) return yield* ctx.store.readLog(options);
    const types = options.types && reading.storedNames(options.types);
    yield* upcastEach(ctx.store.readLog({ ...options, types }), reading);
  })();
}

/** Yielded by followLog each time it has caught up with the head and is about to wait. */
export const CAUGHT_UP = Symbol('caught up');

export interface FollowOptions extends ReadLogOptions, UpcastOption {
  /** How often to look for other processes' commits when idle. */
  pollMs?: number;
}

/**
 * Yields the log from `from`, then keeps yielding new pages as any process commits them,
 * until the context's signal aborts. Idle cost is one change-marker look per poll: it moves
 * only when some connection has committed, so nothing is re-read in vain.
 */
export async function* followLog(
  ctx: AppContext,
  options: FollowOptions = {},
): AsyncGenerator<RecordedEvent[] | typeof CAUGHT_UP> {
  const reading = await readingFor(ctx, options);
  if (reading !== undefined) {
    const types = options.types && reading.storedNames(options.types);
    return yield* upcastEach(followLog(ctx, { ...options, types, upcast: false }), reading);
  }
  const pollMs = options.pollMs ?? 100;
  const signal = ctx.signal;
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  let seen: unknown = undefined;
  while (!signal?.aborted && remaining > 0) {
    const marker = await ctx.store.changeMarker();
    if (marker !== seen) {
      seen = marker;
      for await (const page of ctx.store.readLog({ ...options, from: next, limit: remaining })) {
        yield page;
        next = page[page.length - 1]!.position + 1;
        remaining -= page.length;
        if (signal?.aborted) return;
      }
      continue;
    }
    yield CAUGHT_UP;
    await sleep(pollMs, signal);
  }
}

/** The position of the log's last event; 0 when it has none. */
export function logHead(ctx: AppContext): Promise<number> {
  return ctx.store.head();
}
