import { InputError } from '../../core/errors.js';
import { validateName } from '../../core/input.js';
import type { ErrorPolicy } from '../../core/set-aside.js';
import {
  describeFilter,
  sameFilter,
  type SubscriptionFilter,
  type SubscriptionRow,
} from '../../core/subscriptions.js';
import { isoClockOf, type AppContext } from '../context.js';
import { FALLBACK_CHECK_MS } from '../follow.js';
import type { GroupPlace } from './consumer-group.js';
import type { Consumer } from './consumer.js';
import { nextUnit, parkedStreams, queuedUnit } from './plan.js';
import { deliverUnit } from './policy.js';
import { subscriptionLabel, type Counts, type Session } from './session.js';

/** Events per delivery unless `--batch` says otherwise: one consumer run each. */
export const DEFAULT_BATCH_SIZE = 100;
/** Tries after the first with `--on-error retry`, unless `--retries` says otherwise. */
export const DEFAULT_RETRIES = 5;
export const DEFAULT_BACKOFF_MS = 200;

export interface SubscribeOptions {
  name: string;
  consumer: Consumer;
  filter: SubscriptionFilter;
  group: GroupPlace;
  /** Where a new subscription starts: a position (its first event), or 'end' (new events only). */
  from?: number | 'end';
  batchSize?: number;
  /** Keep delivering as events arrive, until the stop signal. */
  follow?: boolean;
  onError?: ErrorPolicy;
  /** Tries after the first (default: DEFAULT_RETRIES with 'retry', else 0). */
  retries?: number;
  backoffMs?: number;
  /** How often a follower looks by itself when nothing wakes it. */
  pollMs?: number;
  /** Progress and warnings, for stderr. */
  onNote?: (text: string) => void;
}

export interface SubscribeResult extends Counts {
  name: string;
  member: number;
  groupSize: number;
  checkpoint: number;
  /** Stopped by the context's signal rather than done. */
  interrupted: boolean;
}

/**
 * Delivers the subscription's events to its consumer, a batch at a time in position order,
 * and moves its checkpoint past a batch only once the consumer acknowledged it: at-least-once
 * delivery. Without `follow`, it ends once it has reached the head as it was when it began;
 * with it, it waits for new events (woken by the store's ChangeWatch) until the context's
 * signal aborts, and then lets the running delivery finish. Set-aside events queued by
 * `subscriptions retry` are delivered before new ones.
 */
export async function subscribe(
  ctx: AppContext,
  options: SubscribeOptions,
): Promise<SubscribeResult> {
  validateSubscriptionName(options.name);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const policy = options.onError ?? 'stop';
  const note = options.onNote ?? (() => {});
  const row = await openSubscription(ctx, options, note);
  const session: Session = {
    store: ctx.store,
    name: options.name,
    group: options.group,
    consumer: options.consumer,
    policy,
    retries: options.retries ?? (policy === 'retry' ? DEFAULT_RETRIES : 0),
    backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
    stop: ctx.signal,
    now: isoClockOf(ctx),
    note,
    counts: { delivered: 0, runs: 0, parked: 0, skipped: 0 },
    checkpoint: row.checkpoint,
  };
  const watch = options.follow ? await ctx.store.watchChanges() : undefined;
  let interrupted = false;
  try {
    const target = options.follow ? Infinity : await ctx.store.head();
    for (;;) {
      if (ctx.signal?.aborted) {
        interrupted = true;
        break;
      }
      const queued = await queuedUnit(session, batchSize);
      if (queued) {
        await deliverUnit(session, queued.unit, queued.blocking);
        continue;
      }
      const head = Math.min(await ctx.store.head(), target);
      if (session.checkpoint < head) {
        const parked = await parkedStreams(session);
        const unit = await nextUnit(session, row.filter, parked, head, batchSize);
        await deliverUnit(session, unit, parked);
        continue;
      }
      if (!watch) break;
      // Fails with one clear line when the store was reset or deleted meanwhile, as
      // `log --follow` does, rather than follow a store that is gone.
      await ctx.store.changeMarker();
      await watch.next(options.pollMs ?? FALLBACK_CHECK_MS, ctx.signal);
    }
  } finally {
    await watch?.close();
  }
  return {
    name: options.name,
    member: options.group.member,
    groupSize: options.group.size,
    checkpoint: session.checkpoint,
    interrupted,
    ...session.counts,
  };
}

/**
 * The member's row, made on first use at `from`. A subscription keeps the filter and group
 * size it was made with: a run that asks for others is refused (their checkpoints would not
 * mean what they say), and `--from` applies to a new subscription only.
 */
async function openSubscription(
  ctx: AppContext,
  options: SubscribeOptions,
  note: (text: string) => void,
): Promise<SubscriptionRow> {
  const { name, group, filter } = options;
  const existing = await ctx.store.subscriptions.list(name);
  const label = subscriptionLabel({ name, group });
  for (const row of existing) {
    if (row.groupSize !== group.size) {
      throw new InputError(
        `subscription "${name}" is split among ${row.groupSize} member${row.groupSize === 1 ? '' : 's'}${row.groupSize === 1 ? ' (no --member/--of)' : ` (--of ${row.groupSize})`}; this run asks for ${group.size === 1 ? 'none' : `--of ${group.size}`}: use another name, or drop it first (eventlite subscriptions drop ${name})`,
      );
    }
    if (!sameFilter(row.filter, filter)) {
      throw new InputError(
        `subscription "${name}" delivers ${shownFilter(row.filter)}; this run asks for ${shownFilter(filter)}: use another name, or drop it first (eventlite subscriptions drop ${name})`,
      );
    }
  }
  const mine = existing.find((row) => row.member === group.member);
  if (mine) {
    if (options.from !== undefined) {
      note(
        `${label} exists (at position ${mine.checkpoint}); --from applies to a new subscription only`,
      );
    }
    return mine;
  }
  const checkpoint =
    options.from === 'end' ? await ctx.store.head() : Math.max((options.from ?? 1) - 1, 0);
  return ctx.store.subscriptions.create(
    { name, member: group.member, groupSize: group.size, filter, checkpoint },
    isoClockOf(ctx)(),
  );
}

function shownFilter(filter: SubscriptionFilter): string {
  const flags = describeFilter(filter);
  return flags === '' ? 'every event' : `only ${flags}`;
}

/** A subscription's name: what a stream name may be (printable, of a sane length). */
export function validateSubscriptionName(name: string): string {
  return validateName('subscription', name);
}
