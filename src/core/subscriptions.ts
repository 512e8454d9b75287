import type { SetAsideEvent, SetAsideKind, SetAsideRow } from './set-aside.js';

// The subscription bookkeeping that `subscribe` keeps in the event store (both backends), so
// that any machine that can reach the store can run the consumer.

/** What a subscription delivers, fixed when it is created. */
export interface SubscriptionFilter {
  /** Only these event types (sorted); empty: every type. */
  types: readonly string[];
  category: string | null;
  streamPrefix: string | null;
  /** Whether the store's own streams (`$…`, audit events) are delivered too. */
  systemStreams: boolean;
}

/** One member's row: member 0 of 1 for a subscription without a consumer group. */
export interface SubscriptionRow {
  name: string;
  member: number;
  groupSize: number;
  filter: SubscriptionFilter;
  /** The last position acknowledged: every event up to it was delivered or set aside. */
  checkpoint: number;
  createdAt: string;
  updatedAt: string;
  parked: number;
  skipped: number;
}

export type NewSubscription = Pick<
  SubscriptionRow,
  'name' | 'member' | 'groupSize' | 'filter' | 'checkpoint'
>;

/** What one acknowledgement records, all in one transaction. */
export interface Acknowledgement {
  /** Moves the checkpoint from `from` to `to`, a compare-and-set; absent for a redelivery. */
  move?: { from: number; to: number };
  /**
   * Events set aside: new rows, or (for an event already set aside) the row updated with the
   * new kind, error and queue mark, its attempts added up.
   */
  setAside: readonly (SetAsideEvent & { queued?: boolean })[];
  /** Set-aside events delivered again with success: their rows go. */
  delivered: readonly number[];
}

export interface SetAsideQuery {
  member?: number;
  kind?: SetAsideKind;
  queued?: boolean;
  limit?: number;
}

export interface SubscriptionStore {
  /** The rows of `name` (of every subscription without one), by name and member. */
  list(name?: string): Promise<SubscriptionRow[]>;
  /** Creates the member's row unless it exists, and returns the row as stored. */
  create(subscription: NewSubscription, at: string): Promise<SubscriptionRow>;
  /** False (and nothing recorded) when the checkpoint was not at `move.from`. */
  acknowledge(name: string, member: number, ack: Acknowledgement, at: string): Promise<boolean>;
  /** The set-aside events of `name`, in position order. */
  setAside(name: string, query?: SetAsideQuery): Promise<SetAsideRow[]>;
  /** Queues the parked events of `name` (and skipped ones too, with `skipped`); how many. */
  requeue(name: string, options: { skipped: boolean }): Promise<number>;
  /** Forgets every member's checkpoint and set-aside events; false when there was none. */
  drop(name: string): Promise<boolean>;
}

/** The filter as the flags that make it, for listings and messages ("" for everything). */
export function describeFilter(filter: SubscriptionFilter): string {
  const parts: string[] = [];
  if (filter.category !== null) parts.push(`--category ${filter.category}`);
  if (filter.streamPrefix !== null) parts.push(`--stream-prefix ${filter.streamPrefix}`);
  for (const type of filter.types) parts.push(`--type ${type}`);
  if (filter.systemStreams) parts.push('--system');
  return parts.join(' ');
}

export function sameFilter(a: SubscriptionFilter, b: SubscriptionFilter): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** The filter with its keys in one order and its types sorted: what is stored. */
export function canonical(filter: SubscriptionFilter): SubscriptionFilter {
  return {
    types: [...new Set(filter.types)].sort(),
    category: filter.category,
    streamPrefix: filter.streamPrefix,
    systemStreams: filter.systemStreams,
  };
}
