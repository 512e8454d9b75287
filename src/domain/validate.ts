import type { Decider } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { InputError } from '../core/errors.js';
import { eventReadingOf } from '../core/event-reading.js';
import { normalizeDecider } from './lookup.js';
import { validateCommandDeclarations, validateEventDeclarations } from './validate-events.js';
import { describe, isObject, validateProjections } from './validate-projections.js';

// A domain module is user code loaded at run time, so TypeScript's checks may never have run
// on it. Its shape is checked here, structurally, and every message names the file and the
// missing piece: `eventlite.config.ts: decider "account" has no evolve()`.

const DECIDER_FUNCTIONS = ['streamId', 'initialState', 'evolve'] as const;

/** A validated domain: every decider in the list form (see normalizeDecider). */
export interface LoadedDomain extends Domain {
  deciders: Record<string, Decider<unknown, any, any>>;
}

/**
 * Checks a domain module's default export and returns it in the one shape the rest of the
 * code uses: the same object when every decider is in the list form already, else a copy
 * whose handler-map deciders are normalised (the projections stay the same objects).
 */
export function validateDomain(value: unknown, file: string): LoadedDomain {
  const fail = (problem: string): never => {
    throw new InputError(`${file}: ${problem}`);
  };
  if (value === undefined) fail('no default export: export default defineDomain({ deciders })');
  if (!isObject(value)) {
    fail(`the default export must be defineDomain({ deciders: {...} }), got ${describe(value)}`);
  }
  const domain = value as Record<string, unknown>;
  if (!isObject(domain.deciders)) fail('the domain has no deciders object');
  const deciders = domain.deciders as Record<string, unknown>;
  if (Object.keys(deciders).length === 0) fail('the domain has no deciders');

  const ownerOfCommand = new Map<string, string>();
  const ownerOfCategory = new Map<string, string>();
  for (const [name, decider] of Object.entries(deciders)) {
    const where = `decider "${name}"`;
    if (!isObject(decider)) fail(`${where} must be an object, got ${describe(decider)}`);
    const { category } = decider as Record<string, unknown>;
    if (typeof category !== 'string' || !/^[A-Za-z0-9_]+$/.test(category)) {
      // The stream `account-a1` belongs to category `account`: a dash in it would be ambiguous.
      fail(`${where} needs a category of letters, digits or _ (no "-"), got ${describe(category)}`);
    }
    if (ownerOfCategory.has(category as string)) {
      fail(
        `deciders "${ownerOfCategory.get(category as string)}" and "${name}" share the category "${category}"`,
      );
    }
    ownerOfCategory.set(category as string, name);
    for (const command of commandsOf(decider as Record<string, unknown>, where, fail)) {
      const owner = ownerOfCommand.get(command);
      if (owner !== undefined)
        fail(`command "${command}" is handled by both "${owner}" and "${name}"`);
      ownerOfCommand.set(command, name);
    }
    for (const key of DECIDER_FUNCTIONS) {
      const member = (decider as Record<string, unknown>)[key];
      if (member === undefined) fail(`${where} has no ${key}()`);
      if (typeof member !== 'function')
        fail(`${where}: ${key} must be a function, got ${describe(member)}`);
    }
    checkSnapshotOptions(decider as Record<string, unknown>, where, fail);
  }
  if (domain.commands !== undefined) {
    validateCommandDeclarations(domain.commands, [...ownerOfCommand.keys()], fail);
  }
  if (domain.events !== undefined) validateEventDeclarations(domain.events, fail);
  if (domain.projections !== undefined) validateProjections(domain.projections, fail);
  const normalized = normalizeDomain(value as Domain);
  // Its projections learn how it reads stored events (the runner sees projections only).
  eventReadingOf(normalized);
  return normalized;
}

/**
 * The command types a decider handles, in either form: the keys of a `decide` map of
 * handlers, or the `commands` list beside one `decide()`.
 */
function commandsOf(
  decider: Record<string, unknown>,
  where: string,
  fail: (problem: string) => never,
): string[] {
  const { commands, decide } = decider;
  if (isObject(decide)) {
    if (commands !== undefined) {
      fail(
        `${where} has both a commands list and a map of decide handlers; the map's keys are its commands, so drop the list`,
      );
    }
    const handlers = Object.entries(decide);
    if (handlers.length === 0) {
      fail(`${where}: decide has no handlers (decide: { CommandType: (command, state) => [...] })`);
    }
    for (const [type, handler] of handlers) {
      if (type === '') fail(`${where}: command names must be non-empty strings, got ""`);
      if (typeof handler !== 'function')
        fail(`${where}: decide.${type} must be a function, got ${describe(handler)}`);
    }
    return handlers.map(([type]) => type);
  }
  if (decide === undefined) fail(`${where} has no decide()`);
  if (typeof decide !== 'function')
    fail(`${where}: decide must be a function, got ${describe(decide)}`);
  if (!Array.isArray(commands) || commands.length === 0) {
    fail(
      `${where} has no commands list (the command types it handles), nor a map of decide handlers by command type`,
    );
  }
  const listed = new Set<string>();
  for (const command of commands as unknown[]) {
    if (typeof command !== 'string' || command === '') {
      fail(`${where}: command names must be non-empty strings, got ${describe(command)}`);
    }
    if (listed.has(command as string)) fail(`command "${command}" is listed twice in ${where}`);
    listed.add(command as string);
  }
  return [...listed];
}

/** `version` and `snapshot`, both optional: see DeciderExtras. */
function checkSnapshotOptions(
  decider: Record<string, unknown>,
  where: string,
  fail: (problem: string) => never,
): void {
  const { version, snapshot } = decider;
  if (version !== undefined && !isPositiveInteger(version)) {
    fail(`${where}: version must be a positive integer, got ${describe(version)}`);
  }
  if (snapshot === undefined || snapshot === false) return;
  if (!isObject(snapshot)) {
    fail(
      `${where}: snapshot must be false or { every?, serialize?, deserialize? }, got ${describe(snapshot)}`,
    );
  }
  const { every, serialize, deserialize } = snapshot as Record<string, unknown>;
  if (every !== undefined && !isPositiveInteger(every)) {
    fail(`${where}: snapshot.every must be a positive integer, got ${describe(every)}`);
  }
  for (const [key, member] of Object.entries({ serialize, deserialize })) {
    if (member !== undefined && typeof member !== 'function') {
      fail(`${where}: snapshot.${key} must be a function, got ${describe(member)}`);
    }
  }
  if ((serialize === undefined) !== (deserialize === undefined)) {
    fail(`${where}: snapshot.serialize and snapshot.deserialize go together; give both or neither`);
  }
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function normalizeDomain(domain: Domain): LoadedDomain {
  const deciders = Object.fromEntries(
    Object.entries(domain.deciders).map(([name, decider]) => [name, normalizeDecider(decider)]),
  );
  const unchanged = Object.keys(deciders).every((name) => deciders[name] === domain.deciders[name]);
  return unchanged ? (domain as LoadedDomain) : { ...domain, deciders };
}
