import { NotFoundError } from '../core/errors.js';
import { validateName } from '../core/input.js';
import { StreamDeletedError } from '../core/lifecycle.js';
import type { LifecycleResult } from '../core/ports.js';
import { lifecycleOptionsOf, type AppContext } from './context.js';

/**
 * `streams delete`: soft (the stream is hidden from `streams`, `read`, `state` and `exec`, its
 * events stay in the log) or hard (its events are removed). Audited; see docs/lifecycle.md.
 */
export function deleteStream(
  ctx: AppContext,
  stream: string,
  options: { hard: boolean },
): Promise<LifecycleResult> {
  return ctx.store.deleteStream(stream, { hard: options.hard, ...lifecycleOptionsOf(ctx) });
}

/** `streams restore`: a soft-deleted stream back as it was. Audited. */
export function restoreStream(ctx: AppContext, stream: string): Promise<LifecycleResult> {
  return ctx.store.restoreStream(stream, lifecycleOptionsOf(ctx));
}

/**
 * The version of a stream that `streams delete` (or `redact`) may change, checked before the
 * terminal is asked: a missing stream, or one deleted already, needs no confirmation. The
 * command itself checks again under the write lock.
 */
export async function streamToChange(
  ctx: AppContext,
  stream: string,
  options: { hard: boolean },
): Promise<number> {
  validateName('stream', stream);
  const deleted = await ctx.store.deletedStream(stream);
  if (deleted && (deleted.hard || !options.hard)) throw new StreamDeletedError(stream, deleted);
  const version = await ctx.store.streamVersion(stream);
  if (version === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
  return version;
}
