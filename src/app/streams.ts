import type { ListStreamsOptions, StreamSummary } from '../core/ports.js';
import type { AppContext } from './context.js';

/** Streams in name order, with their version and first and last recordedAt. */
export function listStreams(
  ctx: AppContext,
  options: ListStreamsOptions = {},
): Promise<StreamSummary[]> {
  return ctx.store.listStreams(options);
}
