import type { Command, DecidedEvent } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { ConcurrencyError } from '../core/errors.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import type { AppendResult, EventStore } from '../core/ports.js';
import { decideCommand, foldEvents, streamOfCommand } from '../domain/decide.js';
import { deciderForCommand } from '../domain/lookup.js';
import { clockOf, domainOf, type AppContext } from './context.js';
import { correlationIdOf } from './correlation.js';
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
}

export type ExecStep =
  | { kind: 'read'; attempt: number; stream: string; events: RecordedEvent[]; version: number }
  | { kind: 'state'; state: unknown }
  | { kind: 'deciding'; command: Command }
  | { kind: 'decided'; events: DecidedEvent[] }
  | { kind: 'conflict'; attempt: number; maxAttempts: number; error: ConcurrencyError }
  | { kind: 'appended'; expectedVersion: number; result: AppendResult }
  | { kind: 'dry-run'; expectedVersion: number };

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
 * Handles one command: read the stream, fold, decide, append with the version that was read as
 * the expected version. When another writer got there first, the decision may no longer hold,
 * so it reads and decides again, up to `maxAttempts` times, then gives up with the conflict.
 */
export async function executeCommand(
  ctx: AppContext,
  command: Command,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const domain: Domain = await domainOf(ctx);
  const named = deciderForCommand(domain, command.type);
  const stream = streamOfCommand(named, command);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const observe = options.observe ?? (() => {});
  const metadata = { command: command.type, correlationId: correlationIdOf(options.correlationId) };
  for (let attempt = 1; ; attempt += 1) {
    const events = await readWholeStream(ctx.store, stream);
    const versionRead = events.at(-1)?.version ?? 0;
    observe({ kind: 'read', attempt, stream, events, version: versionRead });
    const state = foldEvents(named, events);
    observe({ kind: 'state', state });
    observe({ kind: 'deciding', command });
    const decision = decideCommand(named, command, state);
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
      return { ...outcome, appended: result.events };
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= maxAttempts) throw gaveUp(error, attempt);
      observe({ kind: 'conflict', attempt, maxAttempts, error });
      await (options.backoff ?? randomBackoff)(attempt);
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
