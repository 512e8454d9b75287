import { NotFoundError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { validateName } from '../core/input.js';
import type { ReadStreamOptions } from '../core/ports.js';
import type { AppContext } from './context.js';
import { readLogEvents } from './log.js';
import { readingFor, upcastEach, type UpcastOption } from './upcast.js';

/**
 * One stream's events, a page at a time (with `upcast`, as the domain reads them); a stream
 * that does not exist is NotFound.
 */
export async function readStreamEvents(
  ctx: AppContext,
  stream: string,
  options: ReadStreamOptions & UpcastOption = {},
): Promise<AsyncIterable<RecordedEvent[]>> {
  validateName('stream', stream);
  // Loaded first: a module that does not load is the failure to report.
  const reading = await readingFor(ctx, options);
  if ((await ctx.store.streamVersion(stream)) === 0) {
    throw new NotFoundError(`stream "${stream}" does not exist`);
  }
  const pages = ctx.store.readStream(stream, options);
  return reading === undefined ? pages : upcastEach(pages, reading);
}

/**
 * Events for `export`: the whole log from a position, or one stream's events from it; with
 * `upcast`, in today's shapes, for a copy of the store that needs no upcaster.
 */
export async function exportEvents(
  ctx: AppContext,
  options: { stream?: string; from?: number } & UpcastOption = {},
): Promise<AsyncIterable<RecordedEvent[]>> {
  const from = options.from ?? 1;
  if (options.stream === undefined) return readLogEvents(ctx, { from, upcast: options.upcast });
  const pages = await readStreamEvents(ctx, options.stream, { upcast: options.upcast });
  return (async function* () {
    for await (const page of pages) {
      const kept = page.filter((event) => event.position >= from);
      if (kept.length > 0) yield kept;
    }
  })();
}
