import type { RecordedEvent } from '../../core/events.js';
import type { ReadLogOptions } from '../../core/ports.js';
import { behindReason } from '../../core/set-aside.js';
import { SYSTEM_STREAM_PREFIX } from '../../core/stream-names.js';
import type { SubscriptionFilter } from '../../core/subscriptions.js';
import { memberOfStream } from './consumer-group.js';
import type { ParkedStreams, SetAsideRecord, Session, Unit } from './session.js';

// What the next delivery holds: new events after the checkpoint (filtered, this member's
// streams only, those of parked streams held back), or set-aside events queued for retry.

/** The store's filter for a subscription's events; the group's split is made here. */
export function logFilterOf(filter: SubscriptionFilter): ReadLogOptions {
  const namesSystem = [filter.category, filter.streamPrefix].some((name) =>
    name?.startsWith(SYSTEM_STREAM_PREFIX),
  );
  return {
    types: filter.types,
    ...(filter.category !== null && { category: filter.category }),
    ...(filter.streamPrefix !== null && { streamPrefix: filter.streamPrefix }),
    // The store's own streams only when asked: by --include-system, or by naming them.
    withoutSystemStreams: !filter.systemStreams && !namesSystem,
  };
}

/**
 * The events after the checkpoint up to `head` that are this member's, at most `batchSize` of
 * them (those to deliver and those held behind a parked event together). The unit's move ends
 * at its last event when it is full, else at `head`: nothing else up to there is this
 * member's, so the checkpoint jumps there.
 */
export async function nextUnit(
  session: Session,
  filter: SubscriptionFilter,
  parked: ParkedStreams,
  head: number,
  batchSize: number,
): Promise<Unit> {
  const from = session.checkpoint;
  const unit: Unit = { move: { from, to: head }, events: [], behind: [], gone: [] };
  const { member, size } = session.group;
  const options = logFilterOf(filter);
  // Pages sized to what a batch needs, not the store's default: a follower that delivers ten
  // events at a time should not read two thousand each time.
  const pageSize = Math.min(2000, batchSize * size);
  let next = from + 1;
  while (next <= head) {
    let read = 0;
    for await (const page of session.store.readLog({ ...options, from: next, limit: pageSize })) {
      for (const event of page) {
        read += 1;
        next = event.position + 1;
        if (event.position > head) return unit;
        if (size > 1 && memberOfStream(event.stream, size) !== member) continue;
        const first = parked.get(event.stream);
        if (first === undefined) unit.events.push(event);
        else unit.behind.push(heldBehind(event, first));
        if (unit.events.length + unit.behind.length === batchSize) {
          unit.move!.to = event.position;
          return unit;
        }
      }
    }
    if (read < pageSize) break;
  }
  return unit;
}

/**
 * Set-aside events queued by `subscriptions retry` (at most `batchSize`, in position order),
 * to be delivered again before new events; those whose stream has an earlier parked event
 * that is not queued stay parked behind it.
 */
export async function queuedUnit(
  session: Session,
  batchSize: number,
): Promise<{ unit: Unit; blocking: ParkedStreams } | undefined> {
  const { store, name, group } = session;
  const queued = await store.subscriptions.setAside(name, {
    member: group.member,
    queued: true,
    limit: batchSize,
  });
  if (queued.length === 0) return undefined;
  const waiting = await store.subscriptions.setAside(name, {
    member: group.member,
    kind: 'parked',
    queued: false,
  });
  const blocking: ParkedStreams = new Map();
  for (const row of waiting) {
    if (!blocking.has(row.stream))
      blocking.set(row.stream, { position: row.position, queued: false });
  }
  const events = await store.readPositions(queued.map((row) => row.position));
  const found = new Set(events.map((event) => event.position));
  const unit: Unit = {
    events: [],
    behind: [],
    gone: queued.filter((row) => !found.has(row.position)).map((row) => row.position),
  };
  for (const event of events) {
    const first = blocking.get(event.stream);
    if (first !== undefined && first.position < event.position) {
      unit.behind.push(heldBehind(event, first));
    } else unit.events.push(event);
  }
  return { unit, blocking };
}

/** The parked streams of this member: queued ones too, whose later events queue behind them. */
export async function parkedStreams(session: Session): Promise<ParkedStreams> {
  const rows = await session.store.subscriptions.setAside(session.name, {
    member: session.group.member,
    kind: 'parked',
  });
  const streams: ParkedStreams = new Map();
  for (const row of rows) {
    if (!streams.has(row.stream)) {
      streams.set(row.stream, { position: row.position, queued: row.queued });
    }
  }
  return streams;
}

export function heldBehind(
  event: RecordedEvent,
  first: { position: number; queued: boolean },
): SetAsideRecord {
  return {
    position: event.position,
    stream: event.stream,
    type: event.type,
    kind: 'parked',
    error: behindReason(first),
    attempts: 0,
    queued: first.queued,
  };
}
