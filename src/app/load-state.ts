import type { Domain } from '../core/domain.js';
import { todaysReader } from '../core/event-reading.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../core/ports.js';
import { foldEvents } from '../domain/decide.js';
import type { NamedDecider } from '../domain/lookup.js';
import { snapshotPolicyOf, type SnapshotPolicy } from '../domain/snapshots.js';

// A command's state is folded from the newest known state of its stream (one kept in this
// process, or a stored snapshot) plus the events after it, never from the first event when a
// newer start is known. Either start is only a shortcut: folding the whole stream gives the
// same state, which is why a changed decider never reads the old ones (see snapshots.ts).

/** Where a fold started: nothing (the initial state), a stored snapshot, or a state kept in memory. */
export type FoldBase = { source: 'initial' } | { source: 'snapshot' | 'memory'; version: number };

export interface LoadedState {
  /** What a state kept in memory is filed under: the snapshot key, or the decider's name. */
  key: string;
  state: unknown;
  /** The version of the last event folded in: 0 for the initial state. */
  version: number;
  /** The id of that event, when there is one. */
  eventId?: string;
  base: FoldBase;
  /** The events read after the base and folded in, as stored. */
  events: RecordedEvent[];
  /** The version of the newest snapshot known to be stored for this state's decider. */
  snapshotVersion: number;
  policy?: SnapshotPolicy;
}

export interface KeptState {
  key: string;
  state: unknown;
  version: number;
  eventId?: string;
  snapshotVersion: number;
  /** Known to be behind the stream: never trusted without a read. */
  behind?: boolean;
}

/**
 * The states one process has folded (`replay`, `exec --file`), by stream, so that its next
 * command on a stream reads only what was appended since. The oldest are forgotten past
 * `limit` streams. A state kept here is handed to the next decide() and evolve(), which must
 * not change the state they are given (they are pure functions of it).
 */
export class StateCache {
  readonly #states = new Map<string, KeptState>();

  constructor(readonly limit = 10_000) {}

  get(stream: string, key: string): KeptState | undefined {
    const kept = this.#states.get(stream);
    return kept?.key === key ? kept : undefined;
  }

  keep(stream: string, kept: KeptState): void {
    this.#states.delete(stream);
    this.#states.set(stream, kept);
    if (this.#states.size > this.limit) {
      this.#states.delete(this.#states.keys().next().value as string);
    }
  }

  forget(stream: string): void {
    this.#states.delete(stream);
  }

  /** Another append reached the stream: its kept state is a start to read on from, no more. */
  behind(stream: string): void {
    const kept = this.#states.get(stream);
    if (kept) kept.behind = true;
  }
}

export interface LoadStateOptions {
  /** The state as of this version (default: the stream's last). */
  atMost?: number;
  cache?: StateCache;
  /**
   * A state kept in `cache` is returned as it is, without reading the events after it: for a
   * caller whose append checks the version anyway (see executeCommand).
   */
  trustKept?: boolean;
}

/** Folds the stream's state from the newest start known, at or below `atMost`. */
export async function loadState(
  store: EventStore,
  domain: Domain,
  named: NamedDecider,
  stream: string,
  options: LoadStateOptions = {},
): Promise<LoadedState> {
  const policy = snapshotPolicyOf(domain, named);
  const key = policy?.key ?? `${named.name}:no-snapshots`;
  const atMost = options.atMost ?? Number.MAX_SAFE_INTEGER;
  let start: KeptState | undefined;
  let base: FoldBase = { source: 'initial' };
  const kept = options.cache?.get(stream, key);
  if (kept && kept.version <= atMost) {
    start = kept;
    base = { source: 'memory', version: kept.version };
    if (options.trustKept && !kept.behind) {
      const { state, version, eventId, snapshotVersion } = kept;
      return { key, state, version, eventId, base, events: [], snapshotVersion, policy };
    }
  } else if (policy) {
    const snapshot = await store.readSnapshot(stream, policy.key, { atMost });
    if (snapshot) {
      const { version, eventId } = snapshot;
      start = {
        key,
        state: policy.decode(snapshot.state),
        version,
        eventId,
        snapshotVersion: version,
      };
      base = { source: 'snapshot', version: snapshot.version };
    }
  }
  const from = (start?.version ?? 0) + 1;
  const events = from > atMost ? [] : await readEvents(store, stream, from, atMost - from + 1);
  // Each event as the domain reads it today, made as the fold reaches it and dropped after:
  // a long fold holds the stored events only, not a second, upcast copy of each.
  const read = todaysReader(domain);
  const last = events.at(-1);
  return {
    key,
    state: foldEvents(named, events, start && { state: start.state }, read),
    version: last?.version ?? start?.version ?? 0,
    eventId: last?.id ?? start?.eventId,
    base,
    events,
    snapshotVersion: start?.snapshotVersion ?? 0,
    policy,
  };
}

async function readEvents(
  store: EventStore,
  stream: string,
  from: number,
  limit: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const options = limit >= Number.MAX_SAFE_INTEGER - from ? { from } : { from, limit };
  for await (const page of store.readStream(stream, options)) events.push(...page);
  return events;
}
