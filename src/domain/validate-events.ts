import { COMMAND_DECLARATION_KEYS, EVENT_DECLARATION_KEYS } from '../core/event-types.js';
import { validateName } from '../core/input.js';
import { isStandardSchema } from '../core/standard-schema.js';
import { describe, isObject } from './validate-projections.js';

// A domain's `commands` and `events` declarations (src/core/event-types.ts), checked when the
// module loads, as validate.ts checks its deciders: every message names the entry at fault.
// What can be judged without the store is judged here; whether the stored events can all be
// read as today's is `eventlite check`'s question (it needs the store).

type Fail = (problem: string) => never;

/** `commands`: schemas for command data, each for a command some decider handles. */
export function validateCommandDeclarations(
  value: unknown,
  handled: readonly string[],
  fail: Fail,
): void {
  if (!isObject(value)) {
    fail(`commands must be an object of { CommandType: { schema } }, got ${describe(value)}`);
  }
  for (const [type, entry] of Object.entries(value as object)) {
    const where = `commands.${type}`;
    if (!handled.includes(type)) {
      fail(`${where}: no decider handles this command (the domain handles ${handled.join(', ')})`);
    }
    checkEntry(entry, where, COMMAND_DECLARATION_KEYS, 'a command', fail);
    checkSchema((entry as { schema?: unknown }).schema, where, fail);
  }
}

/** `events`: the types the domain appends, their versions and upcasters, and old names. */
export function validateEventDeclarations(value: unknown, fail: Fail): void {
  if (!isObject(value)) {
    fail(
      `events must be an object of { EventType: { schema?, version?, upcast? } }, got ${describe(value)}`,
    );
  }
  const entries = Object.entries(value as object) as [string, Record<string, unknown>][];
  for (const [type, entry] of entries) {
    const where = `events.${type}`;
    try {
      validateName('event type', type);
    } catch (error) {
      fail(`events: ${(error as Error).message}`);
    }
    checkEntry(entry, where, EVENT_DECLARATION_KEYS, 'an event type', fail);
    if (entry.renamedTo !== undefined) {
      checkRename(entry, where, value as Record<string, unknown>, fail);
      continue;
    }
    const version = entry.version ?? 1;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      fail(`${where}.version must be a positive integer, got ${describe(version)}`);
    }
    checkSchema(entry.schema, where, fail);
    if (entry.upcast !== undefined) checkUpcasters(entry.upcast, where, version as number, fail);
  }
  for (const [type] of entries)
    checkNoLoop(type, value as Record<string, { renamedTo?: string }>, fail);
}

function checkEntry(
  entry: unknown,
  where: string,
  keys: readonly string[],
  what: string,
  fail: Fail,
): void {
  if (!isObject(entry)) fail(`${where} must be an object, got ${describe(entry)}`);
  for (const key of Object.keys(entry as object)) {
    if (!keys.includes(key)) {
      fail(`${where}: unknown key "${key}" (${what}'s entry may have ${keys.join(', ')})`);
    }
  }
}

function checkSchema(schema: unknown, where: string, fail: Fail): void {
  if (schema === undefined || isStandardSchema(schema)) return;
  fail(
    `${where}.schema must be a Standard Schema (zod, valibot, arktype…: an object with "~standard" version 1), got ${describe(schema)}`,
  );
}

function checkRename(
  entry: Record<string, unknown>,
  where: string,
  declared: Record<string, unknown>,
  fail: Fail,
): void {
  const target = entry.renamedTo;
  if (typeof target !== 'string' || target === '') {
    fail(`${where}.renamedTo must name an event type, got ${describe(target)}`);
  }
  if (!Object.hasOwn(declared, target as string)) {
    fail(`${where}.renamedTo names "${target}", which events does not declare`);
  }
  const own = Object.keys(entry).filter((key) => key !== 'renamedTo');
  if (own.length > 0) {
    fail(
      `${where}: an old name has only renamedTo; its events read as "${target}", whose ${own.join(' and ')} ${own.length === 1 ? 'applies' : 'apply'} to them`,
    );
  }
}

/** upcast[N] reads version N as N + 1, so N runs from 1 to version - 1. */
function checkUpcasters(upcast: unknown, where: string, version: number, fail: Fail): void {
  if (!isObject(upcast)) {
    fail(
      `${where}.upcast must be an object of { version: (data) => data }, got ${describe(upcast)}`,
    );
  }
  for (const [key, step] of Object.entries(upcast as object)) {
    const from = Number(key);
    const at = `${where}.upcast[${key}]`;
    if (!/^[1-9]\d*$/.test(key) || from >= version) {
      const range = version === 1 ? 'none (version is 1)' : `1 to ${version - 1}`;
      fail(`${at}: upcast[N] reads version N as N + 1, so with version ${version} N is ${range}`);
    }
    if (typeof step !== 'function') fail(`${at} must be a function, got ${describe(step)}`);
    if ((step as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction') {
      fail(`${at} is async: upcasters must be synchronous (data in, data out)`);
    }
  }
}

function checkNoLoop(
  start: string,
  declared: Record<string, { renamedTo?: string }>,
  fail: Fail,
): void {
  const path = [start];
  for (
    let next = declared[start]?.renamedTo;
    next !== undefined;
    next = declared[next]?.renamedTo
  ) {
    if (path.includes(next)) {
      fail(`events: renamedTo goes round in a loop: ${[...path, next].join(' → ')}`);
    }
    path.push(next);
  }
}
