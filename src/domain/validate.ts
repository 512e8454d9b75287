import type { Domain } from '../core/domain.js';
import { InputError } from '../core/errors.js';
import { eventReadingOf } from '../core/event-reading.js';
import { validateCommandDeclarations, validateEventDeclarations } from './validate-events.js';
import { validatePersonalData } from './validate-personal-data.js';
import { describe, isObject, validateProjections } from './validate-projections.js';

// A domain module is user code loaded at run time, so TypeScript's checks may never have run
// on it. Its shape is checked here, structurally, and every message names the file and the
// missing piece: `eventlite.config.ts: decider "account" has no evolve()`.

const DECIDER_FUNCTIONS = ['streamId', 'initialState', 'evolve'] as const;

/** Checks a domain module's default export, and returns it as a Domain. */
export function validateDomain(value: unknown, file: string): Domain {
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
  if (domain.events !== undefined) {
    validateEventDeclarations(domain.events, fail);
    validatePersonalData(domain.events, fail);
  }
  if (domain.projections !== undefined) validateProjections(domain.projections, fail);
  // Its projections learn how it reads stored events (the runner sees projections only).
  eventReadingOf(value as Domain);
  return value as Domain;
}

/** The command types a decider handles: the keys of its `decide` map of handlers. */
function commandsOf(
  decider: Record<string, unknown>,
  where: string,
  fail: (problem: string) => never,
): string[] {
  const { commands, decide } = decider;
  if (decide === undefined) fail(`${where} has no decide map of handlers by command type`);
  if (!isObject(decide)) {
    fail(
      `${where}: decide must be a map of handlers by command type (decide: { Deposit: (command, state) => [...] }), got ${describe(decide)}`,
    );
  }
  // A list beside the map could only drift from it.
  if (commands !== undefined) {
    fail(`${where} has a commands list; the keys of its decide map are its commands, so drop it`);
  }
  const handlers = Object.entries(decide as Record<string, unknown>);
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
