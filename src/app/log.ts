import type { RecordedEvent } from '../core/events.js';
import type { ReadLogOptions } from '../core/ports.js';
import type { AppContext } from './context.js';
import { FALLBACK_CHECK_MS } from './follow.js';
import { readingFor, upcastEach, type UpcastOption } from './upcast.js';

/**
 * The global log in position order, a page at a time; with `upcast`, as the domain reads it
 * (`types` then also finds the old names of those types). With `correlationId`: that
 * correlation's events and, following each event's `causationId`, what they caused.
 */
export function readLogEvents(
  ctx: AppContext,
  options: ReadLogOptions & UpcastOption = {},
): AsyncIterable<RecordedEvent[]> {
  if (options.correlationId !== undefined) {
    const { limit, correlationId, ...rest } = options;
    return withCausation(readLogEvents(ctx, rest), correlationId, limit);
  }
  if (!options.upcast) return ctx.store.readLog(options);
  return (async function* () {
    const reading = await readingFor(ctx, options);
    if (reading === undefined) return yield* ctx.store.readLog(options);
    const types = options.types && reading.storedNames(options.types);
    yield* upcastEach(ctx.store.readLog({ ...options, types }), reading);
  })();
}

/**
 * Of pages read with a correlation id (that correlation's events, and every event that names a
 * cause), the correlation's events and those caused by them, however far down: an event whose
 * `causationId` is the id of one kept is kept too. A cause is always before what it caused,
 * so one pass in position order finds them all. `limit` counts what is kept.
 */
export async function* withCausation<Page extends RecordedEvent[] | typeof CAUGHT_UP>(
  pages: AsyncIterable<Page>,
  correlationId: string,
  limit = Infinity,
): AsyncGenerator<Page> {
  const kept = new Set<string>();
  let remaining = limit;
  for await (const page of pages) {
    if (remaining <= 0) return;
    if (page === CAUGHT_UP) {
      yield page;
      continue;
    }
    const events = (page as RecordedEvent[]).filter((event) => {
      const { correlationId: correlation, causationId: cause } = event.metadata;
      const mine = correlation === correlationId || (typeof cause === 'string' && kept.has(cause));
      if (mine) kept.add(event.id);
      return mine;
    });
    const shown = events.slice(0, remaining);
    remaining -= shown.length;
    if (shown.length > 0) yield shown as Page;
  }
}

/** Yielded by followLog each time it has caught up with the head and is about to wait. */
export const CAUGHT_UP = Symbol('caught up');

export interface FollowOptions extends ReadLogOptions, UpcastOption {
  /** How often to look for other processes' commits when idle. */
  pollMs?: number;
}

/**
 * Yields the log from `from`, then keeps yielding new pages as any process commits them,
 * until the context's signal aborts. Idle, it waits on the store's ChangeWatch (no polling),
 * and looks by itself once per `pollMs`; each look is one change-marker read, which moves only
 * when some connection has committed, so nothing is re-read in vain.
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
  if (options.correlationId === undefined) return yield* followPages(ctx, options);
  const { limit, ...rest } = options;
  return yield* withCausation(followPages(ctx, rest), options.correlationId, limit);
}

async function* followPages(
  ctx: AppContext,
  options: FollowOptions,
): AsyncGenerator<RecordedEvent[] | typeof CAUGHT_UP> {
  const pollMs = options.pollMs ?? FALLBACK_CHECK_MS;
  const signal = ctx.signal;
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  let seen: unknown = undefined;
  // Watching before the first look: a commit made after it wakes the first wait.
  const watch = await ctx.store.watchChanges();
  try {
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
      await watch.next(pollMs, signal);
    }
  } finally {
    await watch.close();
  }
}

/** The position of the log's last event; 0 when it has none. */
export function logHead(ctx: AppContext): Promise<number> {
  return ctx.store.head();
}
