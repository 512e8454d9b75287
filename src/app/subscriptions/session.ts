import { EventliteError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import type { EventStore } from '../../core/ports.js';
import type { ErrorPolicy, SetAsideEvent } from '../../core/set-aside.js';
import type { GroupPlace } from './consumer-group.js';
import type { Consumer } from './consumer.js';

/** A set-aside record as a delivery writes it: queued when its stream's first one is. */
export type SetAsideRecord = SetAsideEvent & { queued?: boolean };

/**
 * A delivery: events for the consumer, and what is acknowledged with them in one transaction.
 * A delivery of new events moves the checkpoint from `move.from` to `move.to`; a redelivery of
 * queued set-aside events has no move and removes their records instead.
 */
export interface Unit {
  move?: { from: number; to: number };
  events: RecordedEvent[];
  /** Events of the range that wait behind a parked event of their stream: recorded, not sent. */
  behind: SetAsideRecord[];
  /** Redelivery only: queued records whose events are no longer in the store. */
  gone: number[];
}

/** For each stream with a parked event: its first one, and whether it is queued for retry. */
export type ParkedStreams = Map<string, { position: number; queued: boolean }>;

export interface Counts {
  /** Events the consumer acknowledged. */
  delivered: number;
  /** Runs of the consumer, retries included. */
  runs: number;
  parked: number;
  skipped: number;
}

/** One run of `subscribe`: what every delivery needs. */
export interface Session {
  store: EventStore;
  name: string;
  group: GroupPlace;
  consumer: Consumer;
  policy: ErrorPolicy;
  /** Tries after the first, each after a doubling back-off. */
  retries: number;
  backoffMs: number;
  /** Ctrl-C or SIGTERM: no new delivery starts, a running one finishes. */
  stop?: AbortSignal;
  now: () => string;
  note: (text: string) => void;
  counts: Counts;
  /** The checkpoint as this run last acknowledged it. */
  checkpoint: number;
}

/** What `subscription "x"` is called in messages: with its member in a group. */
export function subscriptionLabel(session: Pick<Session, 'name' | 'group'>): string {
  const { name, group } = session;
  return group.size === 1
    ? `subscription "${name}"`
    : `subscription "${name}" (member ${group.member} of ${group.size})`;
}

/** Another run of the same member acknowledged first (or the subscription was dropped). */
export function lostRace(session: Session): EventliteError {
  return new EventliteError(
    'CONCURRENCY',
    `${subscriptionLabel(session)} was moved on by another process (another run of the same member, or a drop); run one consumer per member`,
  );
}

/** "events 5 to 9", "event 5", for messages. */
export function positionsOf(events: readonly RecordedEvent[]): string {
  const first = events[0]?.position;
  const last = events[events.length - 1]?.position;
  return first === last ? `event ${first}` : `events ${first} to ${last}`;
}
