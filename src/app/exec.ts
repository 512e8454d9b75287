import type { Command, DecidedEvent } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import type { CommandTypeOf } from '../core/domain-types.js';
import { ConcurrencyError, EventliteError } from '../core/errors.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../core/events.js';
import type { AppendResult, EventStore } from '../core/ports.js';
import { decideCommand, streamOfCommand, type VersionedEvent } from '../domain/decide.js';
import { checkCommandData } from '../domain/declared.js';
import { deciderForCommand } from '../domain/lookup.js';
import { clockOf, domainOf, type AppContext } from './context.js';
import { correlationIdOf } from './correlation.js';
import { keepNewState } from './keep-state.js';
import { loadState, type FoldBase, type StateCache } from './load-state.js';
import { appendSealed, refuseUnsealable } from './personal-data.js';
import { refuseDeletedStream } from './read.js';
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
  /** Decided on the state kept at `version`, without reading the stream (see executeCommand). */
  | { kind: 'kept'; stream: string; version: number }
  /**
   * A decision on a kept state that must be made again on what the stream holds: it failed
   * (a rejection), it decided no events, or the append found the stream moved on.
   */
  | { kind: 'recheck'; stream: string; reason: 'failed' | 'no events' | 'moved on' }
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
  // Called with `?.`: without an observer no step object is even built.
  const observe = options.observe;
  const metadata = { command: command.type, correlationId: correlationIdOf(options.correlationId) };
  // A state this process kept for the stream is decided on without reading the stream: the
  // append's expected version tells whether it was still current, so a command on a current
  // state costs the append alone. What else it decides (a rejection, no events) is decided
  // again on what the stream holds before it counts; neither costs an attempt.
  let trustKept = options.states !== undefined && !options.dryRun;
  await refuseDeletedStream(ctx.store, stream);
  for (let attempt = 1; ;) {
    const loaded = await loadState(ctx.store, domain, named, stream, {
      cache: options.states,
      trustKept,
    });
    const unread = trustKept && loaded.base.source === 'memory';
    trustKept = false;
    const { events, base, state, version: versionRead } = loaded;
    observe?.(
      unread
        ? { kind: 'kept', stream, version: versionRead }
        : { kind: 'read', attempt, stream, events, version: versionRead, base },
    );
    observe?.({ kind: 'state', state });
    observe?.({ kind: 'deciding', command });
    let decision: VersionedEvent[];
    try {
      decision = decideCommand(named, command, state, domain.events);
    } catch (error) {
      if (!(unread && error instanceof EventliteError)) throw error;
      observe?.({ kind: 'recheck', stream, reason: 'failed' });
      continue;
    }
    observe?.({ kind: 'decided', events: decision });
    if (unread && decision.length === 0) {
      observe?.({ kind: 'recheck', stream, reason: 'no events' });
      continue;
    }
    // The schema version its type declares goes with each event (absent: version 1).
    const decided = decision.map(({ type, data, schemaVersion }) =>
      schemaVersion === undefined
        ? { type, data, metadata }
        : { type, data, metadata, schemaVersion },
    );
    refuseUnsealable(domain, named, command, decided);
    const outcome: ExecuteResult = {
      stream,
      appended: [],
      decided,
      versionRead,
      attempts: attempt,
    };
    if (options.dryRun) {
      observe?.({ kind: 'dry-run', expectedVersion: versionRead });
      return outcome;
    }
    if (decided.length === 0) return outcome;
    try {
      const result = await appendSealed(ctx.store, domain, stream, decided, {
        expectedVersion: versionRead,
        now: clockOf(ctx),
      });
      observe?.({ kind: 'appended', expectedVersion: versionRead, result });
      await keepNewState(ctx, named, loaded, result, options.states, observe);
      outcome.appended = result.events;
      return outcome;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (unread) {
        observe?.({ kind: 'recheck', stream, reason: 'moved on' });
        continue;
      }
      if (attempt >= maxAttempts) throw gaveUp(error, attempt);
      observe?.({ kind: 'conflict', attempt, maxAttempts, error });
      await (options.backoff ?? randomBackoff)(attempt);
      attempt += 1;
    }
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
