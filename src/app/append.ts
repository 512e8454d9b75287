import type { NewEvent } from '../core/events.js';
import type { ExpectedVersion } from '../core/expected-version.js';
import { validateName } from '../core/input.js';
import type { AppendResult } from '../core/ports.js';
import { clockOf, type AppContext } from './context.js';

/** Appends events to one stream, all or nothing, with an optional expected version. */
export function appendEvents(
  ctx: AppContext,
  stream: string,
  events: readonly NewEvent[],
  options: { expectedVersion?: ExpectedVersion } = {},
): Promise<AppendResult> {
  validateName('stream', stream);
  return ctx.store.append(stream, events, { ...options, now: clockOf(ctx) });
}
