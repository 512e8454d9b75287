import { currentTypeName } from '../core/event-reading.js';
import type { EventTypeCount } from '../core/ports.js';
import { domainOf, type AppContext } from './context.js';

/** `eventlite types`: one row per stored type and schema version. */
export interface EventTypeRow extends EventTypeCount {
  /** The type these events read as today: the type itself, or the new name of an old one. */
  readsAs: string;
  /** The version the domain writes that type in today; null when it does not declare it. */
  currentVersion: number | null;
  /** Whether the domain's `events` declares the stored type; null without a domain module. */
  declared: boolean | null;
}

/**
 * The event types in the store, each at each schema version it is stored in, with what the
 * domain (when the context has one) declares of it.
 */
export async function listEventTypes(ctx: AppContext): Promise<EventTypeRow[]> {
  const domain = ctx.domain === undefined ? undefined : await domainOf(ctx);
  const declarations = domain?.events;
  const counts = await ctx.store.eventTypes();
  return counts.map((count) => {
    if (declarations === undefined || !Object.hasOwn(declarations, count.type)) {
      const declared = domain === undefined ? null : false;
      return { ...count, readsAs: count.type, currentVersion: null, declared };
    }
    const readsAs = currentTypeName(declarations, count.type);
    const currentVersion = declarations[readsAs]!.version ?? 1;
    return { ...count, readsAs, currentVersion, declared: true };
  });
}
