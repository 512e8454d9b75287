import type { LifecycleResult } from '../core/ports.js';
import { lifecycleOptionsOf, type AppContext } from './context.js';

/**
 * `redact`: the named data fields of a stream's events (all, or the given versions) become
 * "[redacted]". Audited; see docs/lifecycle.md.
 */
export function redactEvents(
  ctx: AppContext,
  stream: string,
  options: { fields: readonly string[]; versions?: readonly number[] },
): Promise<LifecycleResult> {
  return ctx.store.redactEvents(stream, { ...options, ...lifecycleOptionsOf(ctx) });
}
