import { NotFoundError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { validateName } from '../core/input.js';
import type { ReadStreamOptions } from '../core/ports.js';
import type { AppContext } from './context.js';

/** One stream's events, a page at a time; a stream that does not exist is NotFound. */
export async function readStreamEvents(
  ctx: AppContext,
  stream: string,
  options: ReadStreamOptions = {},
): Promise<AsyncIterable<RecordedEvent[]>> {
  validateName('stream', stream);
  if ((await ctx.store.streamVersion(stream)) === 0) {
    throw new NotFoundError(`stream "${stream}" does not exist`);
  }
  return ctx.store.readStream(stream, options);
}

/** Events for `export`: the whole log from a position, or one stream's events from it. */
export async function exportEvents(
  ctx: AppContext,
  options: { stream?: string; from?: number } = {},
): Promise<AsyncIterable<RecordedEvent[]>> {
  const from = options.from ?? 1;
  if (options.stream === undefined) return ctx.store.readLog({ from });
  const pages = await readStreamEvents(ctx, options.stream);
  return (async function* () {
    for await (const page of pages) {
      const kept = page.filter((event) => event.position >= from);
      if (kept.length > 0) yield kept;
    }
  })();
}
