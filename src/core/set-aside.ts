// Events set aside so that the rest could go on: a subscription's consumer, or a projection's
// handler, failed on them and the error policy said `park` or `skip`. The same record for
// both, so that `subscriptions parked` and `projections parked` read alike.

/** `--on-error` of `subscribe`; a projection's `onError` (which has no `retry`). */
export type ErrorPolicy = 'stop' | 'retry' | 'skip' | 'park';

/**
 * parked: kept to be tried again (`retry`); later events of its stream wait behind it.
 * skipped: given up on, recorded so that nothing is skipped silently; its stream goes on.
 */
export type SetAsideKind = 'parked' | 'skipped';

export interface SetAsideEvent {
  position: number;
  stream: string;
  type: string;
  kind: SetAsideKind;
  /** What failed (the consumer's exit, the handler's error), or whom a parked event waits behind. */
  error: string;
  /** Failed deliveries or applications this time (0 for an event parked behind another). */
  attempts: number;
}

/** A set-aside event as listed. */
export interface SetAsideRow extends SetAsideEvent {
  /** The consumer group member whose event it is (0 without a group, and for projections). */
  member: number;
  /** When it was last set aside. */
  at: string;
  /** Queued by `retry`, to be delivered again before new events. */
  queued: boolean;
}

/** Why an event of a stream with a parked event is parked too: per-stream order holds. */
export function behindReason(first: { position: number }): string {
  return `waiting behind the parked event at position ${first.position} of its stream`;
}

/** The first error line of a failure, for a record. */
export function failureLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
