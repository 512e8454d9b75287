import type { RecordedEvent } from '../core/events.js';
import { HandlerFailure, type RetryBatch } from '../core/ports.js';
import type { Projection, ProjectionErrorPolicy } from '../core/projection.js';
import { behindReason, failureLine, type SetAsideEvent } from '../core/set-aside.js';

/**
 * The streams of a projection with a parked event, each with its first one: later events of
 * such a stream are parked behind it (in order), whatever the policy says now, so that a
 * stream's rows never skip ahead of an event still to be applied.
 */
export type ParkedStreams = Map<string, number>;

/** The parked streams as the read store has them. */
export function parkedStreamsOf(rows: readonly SetAsideEvent[]): ParkedStreams {
  const streams: ParkedStreams = new Map();
  for (const row of rows) {
    if (row.kind === 'parked' && !streams.has(row.stream)) streams.set(row.stream, row.position);
  }
  return streams;
}

/**
 * Applies `batch` with `apply`. When the projection says `onError: 'skip'` or `'park'` and a
 * handler fails on an event, that event is set aside (recorded with the error, in the same
 * transaction as the rest) and the batch is applied again without it: a batch rolls back
 * whole, so nothing of the failed attempt stays. Parking an event parks the later events of
 * its stream too, here and in later batches (`parked` remembers the stream). With `'stop'`,
 * the HandlerFailure is thrown as before.
 */
export async function applyWithPolicy<B extends RetryBatch, T>(
  projection: Projection,
  batch: B,
  parked: ParkedStreams,
  apply: (batch: B) => Promise<T>,
  options: PolicyOptions = {},
): Promise<{ result: T; batch: B }> {
  const policyOf = options.policyOf ?? (() => projection.onError ?? 'stop');
  const setAside: SetAsideEvent[] = [...(batch.setAside ?? [])];
  let events = parkBehind(batch.events, parked, setAside);
  for (;;) {
    const attempt: B = { ...batch, events, setAside: [...setAside] };
    options.prepare?.(attempt);
    try {
      return { result: await apply(attempt), batch: attempt };
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      const failed = error.event;
      const policy = policyOf(failed);
      if (policy === 'stop' || !events.some((event) => event.position === failed.position)) {
        throw error;
      }
      setAside.push({
        position: failed.position,
        stream: failed.stream,
        type: failed.type,
        kind: policy === 'park' ? 'parked' : 'skipped',
        error: failureLine(error.message),
        attempts: 1,
      });
      events = events.filter((event) => event.position !== failed.position);
      if (policy === 'park') {
        if (!parked.has(failed.stream)) parked.set(failed.stream, failed.position);
        events = parkBehind(events, parked, setAside);
      }
    }
  }
}

export interface PolicyOptions {
  /** The policy for a failed event: default, the projection's `onError`. */
  policyOf?: (event: RecordedEvent) => ProjectionErrorPolicy;
  /**
   * Called with each attempt's batch before it is applied (for `--trace`, which must hear only
   * of the attempt that commits).
   */
  prepare?: (batch: RetryBatch) => void;
}

/** `events` less those of parked streams, which are added to `setAside` as waiting. */
function parkBehind(
  events: readonly RecordedEvent[],
  parked: ParkedStreams,
  setAside: SetAsideEvent[],
): RecordedEvent[] {
  if (parked.size === 0) return [...events];
  const kept: RecordedEvent[] = [];
  for (const event of events) {
    const first = parked.get(event.stream);
    if (first === undefined || first >= event.position) {
      kept.push(event);
      continue;
    }
    const { position, stream, type } = event;
    setAside.push({
      position,
      stream,
      type,
      kind: 'parked',
      error: behindReason({ position: first }),
      attempts: 0,
    });
  }
  return kept;
}
