import { NotFoundError } from '../../core/errors.js';
import type { SetAsideRow } from '../../core/set-aside.js';
import { describeFilter, type SubscriptionRow } from '../../core/subscriptions.js';
import type { AppContext } from '../context.js';
import { validateSubscriptionName } from './subscribe.js';

/** A subscription member as `eventlite subscriptions` lists it. */
export type SubscriptionState = {
  name: string;
  member: number;
  of: number;
  checkpoint: number;
  head: number;
  lag: number;
  parked: number;
  skipped: number;
  /** The flags that made its filter; "" when it delivers every event. */
  filter: string;
  lastAckAt: string;
};

/** Every subscription (or the one named), a row per member, with its lag behind the head. */
export async function listSubscriptions(
  ctx: AppContext,
  name?: string,
): Promise<SubscriptionState[]> {
  if (name !== undefined) await rowsOf(ctx, name);
  const [rows, head] = await Promise.all([ctx.store.subscriptions.list(name), ctx.store.head()]);
  return rows.map((row) => ({
    name: row.name,
    member: row.member,
    of: row.groupSize,
    checkpoint: row.checkpoint,
    head,
    lag: Math.max(head - row.checkpoint, 0),
    parked: row.parked,
    skipped: row.skipped,
    filter: describeFilter(row.filter),
    lastAckAt: row.updatedAt,
  }));
}

/** The events a subscription set aside, parked and skipped, in position order. */
export async function subscriptionSetAside(ctx: AppContext, name: string): Promise<SetAsideRow[]> {
  await rowsOf(ctx, name);
  return ctx.store.subscriptions.setAside(name);
}

/**
 * Queues a subscription's parked events (and skipped ones, with `skipped`) to be delivered
 * again: a following `subscribe` delivers them at once, before new events; otherwise the next
 * run does. Returns how many were queued.
 */
export async function retrySubscription(
  ctx: AppContext,
  name: string,
  options: { skipped?: boolean } = {},
): Promise<number> {
  await rowsOf(ctx, name);
  return ctx.store.subscriptions.requeue(name, { skipped: options.skipped === true });
}

/** Forgets a subscription: every member's checkpoint and set-aside events. */
export async function dropSubscription(ctx: AppContext, name: string): Promise<void> {
  await rowsOf(ctx, name);
  await ctx.store.subscriptions.drop(name);
}

async function rowsOf(ctx: AppContext, name: string): Promise<SubscriptionRow[]> {
  validateSubscriptionName(name);
  const rows = await ctx.store.subscriptions.list(name);
  if (rows.length === 0) {
    throw new NotFoundError(
      `no subscription "${name}" (eventlite subscriptions lists them; eventlite subscribe ${name} -- COMMAND makes it)`,
    );
  }
  return rows;
}
