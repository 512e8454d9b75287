import type { Command, DecidedEvent } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import type { CommandTypeOf } from '../core/domain-types.js';
import { ConcurrencyError, EventliteError } from '../core/errors.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../core/events.js';
import type { AppendResult, EventStore } from '../core/ports.js';
import { decideCommand, foldEvents, streamOfCommand } from '../domain/decide.js';
import { checkCommandData } from '../domain/declared.js';
import { deciderForCommand, type NamedDecider } from '../domain/lookup.js';
import { clockOf, domainOf, type AppContext } from './context.js';
import { correlationIdOf } from './correlation.js';
import { loadState, type FoldBase, type LoadedState, type StateCache } from './load-state.js';
import { sleep } from './sleep.js';

/** Enough for a handful of processes hammering one stream; each retry re-reads and decides anew. */
export const DEFAULT_MAX_ATTEMPTS = 10;

export interface ExecuteOptions {
  /** Stored in every event's metadata with the command name (default: a new UUID). */
  correlationId?: string;
  maxAttempts?: number;
  /** Decide, but append nothing. */
  dryRun?: boolean;
  /** Sees each step as it happens (the `--trace` view), including those before a failure. */
  observe?: (step: ExecStep) => void;
  /** Waits before attempt `attempt + 1` after a conflict; default: a short random backoff. */
  backoff?: (attempt: number) => Promise<void>;
  /** The states this process has folded: given, the next command on a stream starts there. */
  states?: StateCache;
}

export type ExecStep =
  | {
      kind: 'read';
      attempt: number;
      stream: string;
      /** The events read after `base`. */
      events: RecordedEvent[];
      version: number;
      base: FoldBase;
    }
  | { kind: 'state'; state: unknown }
  | { kind: 'deciding'; command: Command }
  | { kind: 'decided'; events: DecidedEvent[] }
  | { kind: 'conflict'; attempt: number; maxAttempts: number; error: ConcurrencyError }
  | { kind: 'appended'; expectedVersion: number; result: AppendResult }
  | { kind: 'dry-run'; expectedVersion: number }
  /** After an append: a snapshot was due; `stored`, or why not. */
  | { kind: 'snapshot'; stream: string; version: number; outcome: SnapshotOutcome };

export type SnapshotOutcome =
  | { stored: true }
  | { stored: false; reason: 'not-json' }
  | { stored: false; reason: 'failed'; error: EventliteError };

export interface ExecuteResult {
  stream: string;
  /** The events written; empty for a dry run or a decision of no events. */
  appended: RecordedEvent[];
  /** The decided events with the metadata they were (or would be) stored with. */
  decided: NewEvent[];
  /** The version the decision was made at. */
  versionRead: number;
  attempts: number;
}

/**
 * Handles one command: check its data against its declared schema, read the stream, fold,
 * decide, append with the version that was read as the expected version. When another writer
 * got there first, the decision may no longer hold, so it reads and decides again, up to
 * `maxAttempts` times, then gives up with the conflict. With a typed domain, `command.type`
 * must be one of its command types.
 */
export async function executeCommand<D extends Domain = Domain>(
  ctx: AppContext<D>,
  given: Command<CommandTypeOf<D>, JsonObject>,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const domain: Domain = await domainOf(ctx);
  const named = deciderForCommand(domain, given.type);
  // Before streamId(): the decider sees only data that passed the schema, as the schema gives it.
  const command = checkCommandData(domain, given);
  const stream = streamOfCommand(named, command);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const observe = options.observe ?? (() => {});
  const metadata = { command: command.type, correlationId: correlationIdOf(options.correlationId) };
  for (let attempt = 1; ; attempt += 1) {
    const loaded = await loadState(ctx.store, domain, named, stream, { cache: options.states });
    const { events, base, state, version: versionRead } = loaded;
    observe({ kind: 'read', attempt, stream, events, version: versionRead, base });
    observe({ kind: 'state', state });
    observe({ kind: 'deciding', command });
    const decision = decideCommand(named, command, state, domain.events);
    observe({ kind: 'decided', events: decision });
    const decided = decision.map((event) => ({ ...event, metadata }));
    const outcome = { stream, decided, versionRead, attempts: attempt };
    if (options.dryRun) {
      observe({ kind: 'dry-run', expectedVersion: versionRead });
      return { ...outcome, appended: [] };
    }
    if (decided.length === 0) return { ...outcome, appended: [] };
    try {
      const result = await ctx.store.append(stream, decided, {
        expectedVersion: versionRead,
        now: clockOf(ctx),
      });
      observe({ kind: 'appended', expectedVersion: versionRead, result });
      await keepNewState(ctx, named, loaded, result, options.states, observe);
      return { ...outcome, appended: result.events };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= maxAttempts) throw gaveUp(error, attempt);
      observe({ kind: 'conflict', attempt, maxAttempts, error });
      await (options.backoff ?? randomBackoff)(attempt);
    }
  }
}

/**
 * After an append: the state with the new events folded in, kept for this process's next
 * command, and stored as a snapshot when one is due. Outside the append's transaction, and
 * never a failure of the command, whose events are committed: a state that cannot be folded
 * or stored here is simply not kept, and the next command folds from further back.
 */
async function keepNewState(
  ctx: AppContext,
  named: NamedDecider,
  loaded: LoadedState,
  result: AppendResult,
  states: StateCache | undefined,
  observe: (step: ExecStep) => void,
): Promise<void> {
  const { policy } = loaded;
  const last = result.events.at(-1);
  const due = policy !== undefined && result.version >= loaded.snapshotVersion + policy.every;
  if (last === undefined || (!states && !due)) return;
  let state: unknown;
  try {
    state = foldEvents(named, result.events, { state: loaded.state });
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    states?.forget(result.stream);
    return;
  }
  let snapshotVersion = loaded.snapshotVersion;
  if (due) {
    const snapshot = { stream: result.stream, version: last.version, eventId: last.id };
    const outcome = await storeSnapshot(ctx, policy, { ...snapshot, state });
    observe({ kind: 'snapshot', stream: result.stream, version: last.version, outcome });
    if (outcome.stored) snapshotVersion = last.version;
  }
  states?.keep(result.stream, {
    key: loaded.key,
    state,
    version: last.version,
    eventId: last.id,
    snapshotVersion,
  });
}

async function storeSnapshot(
  ctx: AppContext,
  policy: NonNullable<LoadedState['policy']>,
  snapshot: { stream: string; version: number; eventId: string; state: unknown },
): Promise<SnapshotOutcome> {
  try {
    const text = policy.encode(snapshot.state);
    if (text === undefined) return { stored: false, reason: 'not-json' };
    await ctx.store.writeSnapshot(
      { ...snapshot, decider: policy.key, state: text },
      { now: clockOf(ctx) },
    );
    return { stored: true };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return { stored: false, reason: 'failed', error };
  }
}

/** Every event of a stream, in order. */
export async function readWholeStream(
  store: EventStore,
  stream: string,
  options: { limit?: number } = {},
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of store.readStream(stream, options)) events.push(...page);
  return events;
}

function gaveUp(error: ConcurrencyError, attempts: number): ConcurrencyError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return new ConcurrencyError(
    error.stream,
    error.expected,
    error.actual,
    `gave up after ${tries}: ${error.message}`,
  );
}

// Jitter keeps competing processes from retrying in lockstep and colliding again.
function randomBackoff(attempt: number): Promise<void> {
  return sleep(Math.random() * 5 * attempt);
}
