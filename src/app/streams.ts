import type { ListStreamsOptions, StreamSummary } from '../core/ports.js';
import type { AppContext } from './context.js';

/**
 * Streams in name order, with their version and first and last recordedAt, a page at a time:
 * what `streams` prints as it reads, in flat memory however many there are.
 */
export function streamPages(
  ctx: AppContext,
  options: ListStreamsOptions = {},
): AsyncIterable<StreamSummary[]> {
  return ctx.store.listStreams(options);
}

/** The same streams gathered into one array, for a library user who wants them all at once. */
export async function listStreams(
  ctx: AppContext,
  options: ListStreamsOptions = {},
): Promise<StreamSummary[]> {
  const streams: StreamSummary[] = [];
  for await (const page of streamPages(ctx, options)) streams.push(...page);
  return streams;
}
