import type { Domain } from '../core/domain.js';
import { InputError, NotFoundError } from '../core/errors.js';
import { eventReadingOf } from '../core/event-reading.js';
import type { EventStore, LifecycleOptions, QueryParams, ReadStore } from '../core/ports.js';
import { NoDomainError } from '../domain/no-domain.js';

/**
 * What every use case takes: the stores it works on, the user's domain, the clock and a
 * signal to stop between batches. Use cases return data; none prints or exits.
 */
export interface AppContext<D extends Domain = Domain> {
  store: EventStore;
  /** The read models; undefined when the use case needs none or none exist yet. */
  read?: ReadStore;
  /** For messages when `read` is undefined: where the read models would be. */
  readLocation?: string;
  /** The domain module, or how to load it when (and only if) a use case needs it. */
  domain?: D | (() => Promise<D>);
  /** Stamps recordedAt and bookkeeping times; defaults to the system clock. */
  clock?: () => Date;
  /** `EVENTLITE_PURGE_WAIT`: see LifecycleOptions.purgeWaitMs. */
  purgeWaitMs?: number;
  /** Aborts long work between batches; what was committed stays committed. */
  signal?: AbortSignal;
}

export async function domainOf<D extends Domain>(ctx: AppContext<D>): Promise<D> {
  if (ctx.domain === undefined) throw new InputError('this command needs a domain module');
  if (typeof ctx.domain === 'function') ctx.domain = await ctx.domain();
  // A domain built in code, never validated, registers how it reads stored events here.
  eventReadingOf(ctx.domain);
  return ctx.domain;
}

/**
 * The domain when one is named (by a flag, a variable or a default file), else undefined: for
 * what a command does with the domain at hand but can do without it (sealing personal data).
 */
export async function domainIfAny(ctx: AppContext): Promise<Domain | undefined> {
  if (ctx.domain === undefined) return undefined;
  try {
    return await domainOf(ctx);
  } catch (error) {
    if (error instanceof NoDomainError) return undefined;
    throw error;
  }
}

/** What a use case of the query side alone needs: the read models, and where they are. */
export type ReadContext = Pick<AppContext, 'read' | 'readLocation'> & {
  /**
   * With no read models yet: refuses a statement as the read models' backend would (an
   * InputError), so that a write is told so before it is told there is nothing to query.
   */
  judgeQuery?: (sql: string, params: QueryParams) => Promise<void>;
};

export function readStoreOf(ctx: ReadContext): ReadStore {
  if (ctx.read) return ctx.read;
  throw new NotFoundError(
    `no read database at ${ctx.readLocation ?? 'the read database'} yet (build it with "eventlite projections run")`,
  );
}

export function clockOf(ctx: AppContext): () => Date {
  return ctx.clock ?? (() => new Date());
}

/** What every lifecycle command passes to the store. */
export function lifecycleOptionsOf(ctx: AppContext): LifecycleOptions {
  return {
    now: clockOf(ctx),
    ...(ctx.purgeWaitMs !== undefined && { purgeWaitMs: ctx.purgeWaitMs }),
  };
}

/** The clock as ISO text, for bookkeeping. */
export function isoClockOf(ctx: AppContext): () => string {
  const clock = clockOf(ctx);
  return () => clock().toISOString();
}
