import { setImmediate } from 'node:timers/promises';
import { toCommand } from '../core/command-input.js';
import { EventliteError, InputError, withMessage } from '../core/errors.js';
import type { NewEvent, RecordedEvent } from '../core/events.js';
import { parseExpectedVersion, type ExpectedVersion } from '../core/expected-version.js';
import { checkJsonLimits, requireObject } from '../core/input.js';
import { toNewEvent, validateNameAt } from '../core/new-event.js';
import { CLOCK_STEP_MS, parseInstant, steppingClock } from './clock.js';
import { clockOf, domainIfAny, type AppContext } from './context.js';
import { correlationIdOf } from './correlation.js';
import { executeCommand } from './exec.js';
import { StateCache } from './load-state.js';
import { appendSealed, sealingProblem } from './personal-data.js';
import type { Line } from './lines.js';
import { sleep } from './sleep.js';

export interface ReplayOptions {
  /** The file's name as the user gave it (`stdin` for `-`), for `file:line` messages. */
  source: string;
  /** Stored in every event's metadata (default: a new UUID for the whole replay). */
  correlationId?: string;
  /** Go on after a failed line instead of stopping there. */
  keepGoing: boolean;
  /** A pause between lines, to pace a live demo. */
  delayMs?: number;
  maxAttempts?: number;
  /** `--step`: awaited before each line runs; resolving false stops the replay there. */
  beforeLine?: (line: { where: string; number: number; text: string }) => Promise<boolean>;
  /** Replay from this line of the file (counted as an editor counts: comments and blanks too). */
  fromLine?: number;
  /** Replay up to and including this line of the file. */
  untilLine?: number;
}

export type ReplayStep =
  | { kind: 'applied'; where: string; label: string; events: RecordedEvent[] }
  /** `error` carries the original code (so the exit status) and a message that names file:line. */
  | { kind: 'failed'; where: string; label: string; error: EventliteError; rejected: boolean };

/**
 * Feeds a scenario to the store line by line: a `{"command","data"}` line goes through its
 * decider like `exec`, a `{"stream","type","data",…}` line is appended as it is; either may
 * say when it happens (`"at"`), and `#` lines are comments. Yields one
 * step per line; after a failure it stops unless `keepGoing`, and between lines when the
 * context's signal aborts (what was committed stays committed). The domain is loaded only when
 * the first command line needs it, so a file of raw events replays without one.
 */
export async function* replayLines(
  ctx: AppContext,
  lines: AsyncIterable<Line>,
  options: ReplayOptions,
): AsyncGenerator<ReplayStep> {
  const correlationId = correlationIdOf(options.correlationId);
  const clock = new ScenarioClock(clockOf(ctx), await lastRecordedAt(ctx));
  const lineCtx: AppContext = { ...ctx, clock: clock.now };
  // Each command on a stream starts from the state the one before it left.
  const states = new StateCache();
  let first = true;
  let skippedAt: Date | undefined;
  let resumed = (options.fromLine ?? 1) <= 1;
  for await (const line of lines) {
    if (options.untilLine !== undefined && line.number > options.untilLine) return;
    if (isComment(line.text)) continue;
    if (!resumed && line.number < options.fromLine!) {
      skippedAt = atOf(line.text) ?? skippedAt;
      continue;
    }
    if (!resumed) {
      clock.resume(skippedAt, ctx.clock !== undefined);
      resumed = true;
    }
    if (!first && options.delayMs) await sleep(options.delayMs, ctx.signal);
    // A line whose work is all synchronous (SQLite) and a file read ahead in big chunks never
    // give the event loop a turn, so a Ctrl-C would only be seen once the chunk ran out, after
    // thousands of commands. One turn per line lets the signal in between two commands.
    else await setImmediate();
    first = false;
    if (ctx.signal?.aborted) return;
    const where = `${options.source}:${line.number}`;
    if (options.beforeLine && !(await options.beforeLine({ where, ...line }))) return;
    let label = 'line';
    try {
      const value = parseLine(line.text, where);
      if (value.at !== undefined) clock.setAt(parseInstant(`${where}: "at"`, value.at), where);
      if ('command' in value) {
        const command = toCommand(value, where);
        label = command.type;
        const result = await executeCommand(lineCtx, command, {
          correlationId,
          maxAttempts: options.maxAttempts,
          states,
        });
        clock.saw(result.appended);
        yield { kind: 'applied', where, label, events: result.appended };
      } else {
        const { stream, event, expectedVersion } = toRawEvent(value, where, correlationId);
        label = event.type;
        const domain = await domainIfAny(lineCtx);
        const problem = domain && sealingProblem(domain, event);
        if (problem) throw new InputError(`${where}: ${problem}`);
        const result = await appendSealed(ctx.store, domain, stream, [event], {
          expectedVersion,
          now: clock.now,
        });
        clock.saw(result.events);
        states.behind(stream);
        yield { kind: 'applied', where, label, events: result.events };
      }
    } catch (error) {
      if (!(error instanceof EventliteError)) throw error;
      const rejected = error.code === 'DOMAIN_REJECTION';
      const message = rejected ? `${label} rejected: ${error.message}` : error.message;
      // Messages from line checks already start with `file:line`.
      const text = message.startsWith(`${where}:`) ? message : `${where}: ${message}`;
      yield { kind: 'failed', where, label, rejected, error: withMessage(error, text) };
      if (!options.keepGoing) return;
    }
  }
}

/** The `"at"` of a line skipped by `fromLine`, if it says one; a line it cannot read has none. */
function atOf(text: string): Date | undefined {
  try {
    const at = (JSON.parse(text) as { at?: unknown } | null)?.at;
    return at === undefined ? undefined : parseInstant('"at"', at);
  } catch {
    return undefined;
  }
}

/** A scenario may hold `#` comment lines (blank lines are never handed on). */
function isComment(text: string): boolean {
  return text.trimStart().startsWith('#');
}

/** The recordedAt of the store's last event, if it has one. */
async function lastRecordedAt(ctx: AppContext): Promise<string | undefined> {
  const head = await ctx.store.head();
  if (head === 0) return undefined;
  for await (const page of ctx.store.readLog({ from: head, limit: 1 })) {
    return page[0]?.recordedAt;
  }
  return undefined;
}

/**
 * The time a scenario's lines are recorded at: the context's clock until a line says `at`,
 * then that instant, one step later at each reading after it (as `--clock` does). An `at`
 * earlier than the last event the store holds is refused: positions always follow commit
 * order, and refusing keeps recordedAt in that same order, so a story cannot be told backwards.
 */
class ScenarioClock {
  private given: (() => Date) | undefined;

  constructor(
    private readonly base: () => Date,
    private latest: string | undefined,
  ) {}

  readonly now = (): Date => (this.given ?? this.base)();

  setAt(at: Date, where: string): void {
    if (this.latest !== undefined && at.getTime() < Date.parse(this.latest)) {
      throw new InputError(
        `${where}: "at" ${at.toISOString()} is earlier than the store's last event (${this.latest}); times must not go back`,
      );
    }
    this.given = steppingClock(at, `"at" on ${where}`);
  }

  /**
   * Replaying from a later line (`fromLine`): a story told in given times (an `"at"` on a
   * skipped line, or `--clock`) goes on in them, a step after the store's last event (which
   * the earlier part recorded) or at the skipped `"at"` if that is later, so that the rest
   * gets the times an uninterrupted replay would give it. On the system clock, nothing to do.
   */
  resume(skippedAt: Date | undefined, clockGiven: boolean): void {
    const start = skippedAt ?? (clockGiven ? this.base() : undefined);
    if (start === undefined) return;
    const afterLatest =
      this.latest === undefined ? -Infinity : Date.parse(this.latest) + CLOCK_STEP_MS;
    const origin = skippedAt ? 'an "at" before --from-line' : '--clock';
    this.given = steppingClock(new Date(Math.max(start.getTime(), afterLatest)), origin);
  }

  saw(events: readonly RecordedEvent[]): void {
    const last = events.at(-1)?.recordedAt;
    if (last === undefined) return;
    if (this.latest === undefined || Date.parse(last) > Date.parse(this.latest)) this.latest = last;
  }
}

function parseLine(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${where}: not valid JSON: ${(error as Error).message}`);
  }
  checkJsonLimits(value, text, where, { envelope: true });
  const object = requireObject(value, where);
  if (!('command' in object) && !('stream' in object)) {
    throw new InputError(
      `${where}: a line is a command {"command","data"} or an event {"stream","type","data"}`,
    );
  }
  return object;
}

function toRawEvent(
  value: Record<string, unknown>,
  where: string,
  correlationId: string,
): { stream: string; event: NewEvent; expectedVersion: ExpectedVersion } {
  const stream = validateNameAt(where, 'stream', value.stream);
  const { type, data, metadata, id, schemaVersion, expectedVersion } = value;
  const event = toNewEvent({ type, data, metadata, id, schemaVersion }, where);
  event.metadata = { correlationId, ...event.metadata };
  return { stream, event, expectedVersion: toExpectedVersion(expectedVersion, where) };
}

function toExpectedVersion(value: unknown, where: string): ExpectedVersion {
  if (value === undefined) return 'any';
  try {
    return parseExpectedVersion(String(value));
  } catch {
    throw new InputError(
      `${where}: "expectedVersion" must be a version number, any, no-stream or exists, got ${JSON.stringify(value)}`,
    );
  }
}
