import { SubscriberFailedError } from '../../core/errors.js';
import type { RecordedEvent } from '../../core/events.js';
import { failureLine } from '../../core/set-aside.js';
import { sleep } from '../sleep.js';
import { heldBehind } from './plan.js';
import {
  lostRace,
  positionsOf,
  subscriptionLabel,
  type ParkedStreams,
  type SetAsideRecord,
  type Session,
  type Unit,
} from './session.js';

/** The longest wait between two tries, however many there are. */
const MAX_BACKOFF_MS = 30_000;

/** How a unit ended: acknowledged (in part, with set-aside events), or stopped by a signal. */
export type UnitOutcome = 'done' | 'stopped';

/**
 * Delivers a unit and acknowledges it, following the error policy:
 * - the consumer fails: it is tried again `retries` times, each after twice the wait before;
 * - still failing, `stop` and `retry` end the run with a SubscriberFailedError (nothing of
 *   the unit acknowledged, so the next run delivers it again);
 * - `skip` and `park` deliver the unit's events one at a time, so that only the event that
 *   fails is set aside; the events before it are acknowledged one by one.
 * A stop signal (Ctrl-C, SIGTERM) lets the running delivery finish and starts no other.
 */
export async function deliverUnit(
  session: Session,
  unit: Unit,
  parked: ParkedStreams,
): Promise<UnitOutcome> {
  if (unit.events.length === 0) {
    await acknowledge(session, unit, [], []);
    return 'done';
  }
  const tried = await tryDelivery(session, unit.events);
  if (tried.ok) {
    await acknowledge(session, unit, unit.events, []);
    return 'done';
  }
  if (tried.stopped) return 'stopped';
  if (session.policy === 'stop' || session.policy === 'retry') {
    throw new SubscriberFailedError(
      `${subscriptionLabel(session)}: the consumer failed on ${positionsOf(unit.events)} (${tried.detail})${attemptsText(tried.attempts)}; nothing of them was acknowledged, so the next run delivers them again`,
    );
  }
  if (unit.events.length > 1) {
    session.note(
      `${subscriptionLabel(session)}: delivering ${positionsOf(unit.events)} one at a time, to find the event that fails`,
    );
    for (const single of singles(unit)) {
      if (session.stop?.aborted) return 'stopped';
      if ((await deliverSingle(session, single, parked)) === 'stopped') return 'stopped';
    }
    return 'done';
  }
  await setAsideFailed(session, unit, parked, tried);
  return 'done';
}

/** One event (or none, for the tail of a range), delivered unless its stream is parked. */
async function deliverSingle(
  session: Session,
  unit: Unit,
  parked: ParkedStreams,
): Promise<UnitOutcome> {
  const event = unit.events[0];
  const first = event === undefined ? undefined : parked.get(event.stream);
  if (event !== undefined && first !== undefined && first.position < event.position) {
    await acknowledge(session, { ...unit, events: [] }, [], [heldBehind(event, first)]);
    return 'done';
  }
  // A unit of one event (or none) under `skip` or `park`: delivered, or set aside, as any unit.
  return deliverUnit(session, unit, parked);
}

/** The unit's one event set aside as the policy says; its stream parked with `park`. */
async function setAsideFailed(
  session: Session,
  unit: Unit,
  parked: ParkedStreams,
  tried: Tried,
): Promise<void> {
  const event = unit.events[0]!;
  const kind = session.policy === 'park' ? 'parked' : 'skipped';
  const record: SetAsideRecord = {
    position: event.position,
    stream: event.stream,
    type: event.type,
    kind,
    error: `the consumer failed: ${failureLine(tried.detail)}`,
    attempts: tried.attempts,
    queued: false,
  };
  if (kind === 'parked' && !parked.has(event.stream)) {
    parked.set(event.stream, { position: event.position, queued: false });
  }
  await acknowledge(session, { ...unit, events: [] }, [], [record]);
  session.note(
    `${subscriptionLabel(session)}: ${kind} event ${event.position} (stream "${event.stream}", type ${event.type}): ${tried.detail}`,
  );
}

/**
 * The unit's events one at a time. For new events, each single moves the checkpoint to its
 * event (the last one to the end of the unit's range), with the held-back events of that part
 * of the range; for a redelivery, the held-back records go with the first single.
 */
function singles(unit: Unit): Unit[] {
  const { move, events, behind } = unit;
  if (!move) {
    return events.map((event, index) => ({
      events: [event],
      behind: index === 0 ? behind : [],
      gone: index === 0 ? unit.gone : [],
    }));
  }
  const parts: Unit[] = [];
  let from = move.from;
  events.forEach((event, index) => {
    const to = index === events.length - 1 ? move.to : event.position;
    parts.push({
      move: { from, to },
      events: [event],
      behind: behind.filter((held) => held.position > from && held.position <= to),
      gone: [],
    });
    from = to;
  });
  return parts;
}

interface Tried {
  ok: boolean;
  /** A stop signal came before the delivery could succeed: nothing is acknowledged. */
  stopped: boolean;
  detail: string;
  attempts: number;
}

async function tryDelivery(session: Session, events: readonly RecordedEvent[]): Promise<Tried> {
  const label = subscriptionLabel(session);
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await session.consumer.deliver(events, {
      subscription: session.name,
      member: session.group.member,
      groupSize: session.group.size,
      attempt,
    });
    session.counts.runs += 1;
    if (outcome.ok) return { ok: true, stopped: false, detail: outcome.detail, attempts: attempt };
    const failed = { ok: false, detail: outcome.detail, attempts: attempt };
    if (session.stop?.aborted) return { ...failed, stopped: true };
    if (attempt > session.retries) return { ...failed, stopped: false };
    const wait = Math.min(session.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    session.note(
      `${label}: the consumer failed on ${positionsOf(events)} (${outcome.detail}); trying again in ${wait} ms (${attempt + 1} of ${session.retries + 1})`,
    );
    await sleep(wait, session.stop);
    if (session.stop?.aborted) return { ...failed, stopped: true };
  }
}

/**
 * Records, in one transaction: the checkpoint move, the records of set-aside events (held
 * back, or failed), and for a redelivery the removal of the delivered events' records.
 */
async function acknowledge(
  session: Session,
  unit: Unit,
  delivered: readonly RecordedEvent[],
  failed: readonly SetAsideRecord[],
): Promise<void> {
  const redelivered = unit.move ? [] : [...delivered.map((event) => event.position), ...unit.gone];
  const acknowledged = await session.store.subscriptions.acknowledge(
    session.name,
    session.group.member,
    { move: unit.move, setAside: [...unit.behind, ...failed], delivered: redelivered },
    session.now(),
  );
  if (!acknowledged) throw lostRace(session);
  if (unit.move) session.checkpoint = unit.move.to;
  session.counts.delivered += delivered.length;
  for (const record of [...unit.behind, ...failed]) session.counts[record.kind] += 1;
}

function attemptsText(attempts: number): string {
  return attempts === 1 ? '' : ` after ${attempts} attempts`;
}
