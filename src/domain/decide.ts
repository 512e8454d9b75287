import type { Command, DecidedEvent } from '../core/decider.js';
import { DomainError, DomainRejection, type EventliteError, InputError } from '../core/errors.js';
import type { EventDeclarations } from '../core/event-types.js';
import type { JsonObject, RecordedEvent } from '../core/events.js';
import { describeJson, validateName } from '../core/input.js';
import { jsonObjectProblem } from '../core/json-value.js';
import { checkDecidedEvents } from './declared.js';
import type { NamedDecider } from './lookup.js';

// Every call into a user's decider goes through here, so what comes back is checked and what
// is thrown is sorted: a rejection stays a rejection (exit 4), malformed data stays an input
// error (exit 2), and anything else is the domain's own failure (exit 1), named precisely.

/** `${category}-${streamId(command)}`, e.g. `account-a1`. */
export function streamOfCommand({ name, decider }: NamedDecider, command: Command): string {
  const where = () => `command "${command.type}": decider "${name}" streamId()`;
  const id = callUserCode(where, () => decider.streamId(command), command.type);
  if (typeof id !== 'string' || id === '') {
    throw new InputError(
      `${command.type}: the data names no stream (streamId() gave ${describeJson(id ?? null)})`,
    );
  }
  return validateName('stream', `${decider.category}-${id}`);
}

/**
 * The state the decider folds from a stream's events, from its initial state or from `start`
 * (a snapshot's); names the event that broke evolve(). With `read`, each event is handed to
 * evolve() as `read` gives it (upcast), made as the fold reaches it and dropped after.
 */
export function foldEvents(
  { name, decider }: NamedDecider,
  events: Iterable<RecordedEvent>,
  start?: { state: unknown },
  read?: (event: RecordedEvent) => RecordedEvent,
): unknown {
  let state = start
    ? start.state
    : callUserCode(`decider "${name}" initialState()`, () => decider.initialState());
  for (const stored of events) {
    const event = read === undefined ? stored : read(stored);
    // Named only when it fails: a fold runs this for every event it reads.
    const where = () =>
      `decider "${name}" evolve() on ${event.stream} version ${event.version} (${event.type})`;
    state = callUserCode(where, () => decider.evolve(state, event));
  }
  return state;
}

/** A decided event, with the schema version its type declares when that is not 1. */
export interface VersionedEvent extends DecidedEvent {
  schemaVersion?: number;
}

/**
 * The events the decider decides for `command`, checked: a list of events with names and
 * JSON data, and (with `events` declared) of declared types whose data passes their schemas.
 */
export function decideCommand(
  { name, decider }: NamedDecider,
  command: Command,
  state: unknown,
  events?: EventDeclarations,
): VersionedEvent[] {
  // Named only when something is wrong: every command passes here.
  const where = () => `command "${command.type}": decider "${name}" decide.${command.type}()`;
  // Called as a method of the map, as `decide.Deposit(command, state)` would be.
  const handlers = decider.decide as Record<string, (command: Command, state: unknown) => unknown>;
  const decided: unknown = callUserCode(
    where,
    () => handlers[command.type]!(command, state),
    command.type,
  );
  if (!Array.isArray(decided)) {
    throw new DomainError(`${where()} must return a list of events, got ${describe(decided)}`);
  }
  const checked = decided.map((event: unknown, index) => {
    const item = event as Partial<DecidedEvent> | null;
    if (
      item === null ||
      typeof item !== 'object' ||
      typeof item.type !== 'string' ||
      item.type === ''
    ) {
      throw new DomainError(`${where()}: event ${index + 1} needs a type, got ${describe(event)}`);
    }
    try {
      validateName('event type', item.type);
    } catch (error) {
      throw new DomainError(`${where()}: event ${index + 1}: ${(error as Error).message}`);
    }
    // What is stored must be what typed-in JSON could be, or verify and import break later.
    const data = item.data ?? {};
    const problem = jsonObjectProblem(data, 'data');
    if (problem !== undefined) {
      throw new DomainError(`${where()}: event ${index + 1} (${item.type}): ${problem}`);
    }
    return { type: item.type, data: data as JsonObject };
  });
  const versions = checkDecidedEvents(events, where, checked);
  return checked.map((event, index) => {
    const schemaVersion = versions[index];
    return schemaVersion === undefined ? event : { ...event, schemaVersion };
  });
}

/**
 * Runs one call into user code and sorts what it throws; `where` names the call (or makes its
 * name, when it is needed), `commandType` prefixes bad-data messages.
 */
export function callUserCode<T>(
  where: string | (() => string),
  call: () => T,
  commandType?: string,
): T {
  let result: T;
  try {
    result = call();
  } catch (error) {
    throw sortUserError(error, nameOf(where), commandType);
  }
  if (isThenable(result)) {
    // Its rejection would otherwise surface later as an unhandled one, with a stack trace.
    Promise.resolve(result).catch(() => {});
    throw new DomainError(
      `${nameOf(where)} returned a Promise: decider functions must be synchronous (no async, no await)`,
    );
  }
  return result;
}

function nameOf(where: string | (() => string)): string {
  return typeof where === 'string' ? where : where();
}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function sortUserError(error: unknown, where: string, commandType?: string): EventliteError {
  // Matched on `code`, not only instanceof: a module may bundle its own copy of eventlite.
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'DOMAIN_REJECTION') {
    if (error instanceof DomainRejection) return error;
    return new DomainRejection(message, (error as { reason?: string }).reason);
  }
  if (code === 'INPUT') {
    return new InputError(commandType ? `${commandType}: ${message}` : message);
  }
  const kind = error instanceof Error ? error.name : 'a non-error value';
  return new DomainError(`${where} threw ${kind}: ${message}`, { cause: error });
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : describeJson(value);
}
