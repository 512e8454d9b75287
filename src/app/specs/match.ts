import type { DecidedEvent } from '../../core/decider.js';
import type { ExpectedEvent } from './spec-case.js';

/**
 * Why the decided events do not meet the expectation, or undefined when they do. Events must
 * match in number, order and type; data is a subset match, so a spec names only what it cares
 * about (`balance: 150`) and stays valid when events gain fields.
 */
export function eventsMismatch(
  expected: readonly ExpectedEvent[],
  actual: readonly DecidedEvent[],
): string | undefined {
  if (expected.length !== actual.length) {
    return `expected ${countOf(expected)}, got ${countOf(actual)}`;
  }
  for (const [index, want] of expected.entries()) {
    const got = actual[index]!;
    const at = `event ${index + 1}`;
    if (want.type !== got.type) return `${at}: expected ${want.type}, got ${got.type}`;
    if (want.data === undefined) continue;
    const problem = subsetMismatch(want.data, got.data, 'data');
    if (problem) return `${at} (${got.type}): ${problem}`;
  }
  return undefined;
}

/** Every key of `expected` must match in `actual`, recursively; arrays match element by element. */
export function subsetMismatch(
  expected: unknown,
  actual: unknown,
  path: string,
): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    for (const [index, item] of expected.entries()) {
      const problem = subsetMismatch(item, actual[index], `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    }
    for (const [key, value] of Object.entries(expected)) {
      const problem = subsetMismatch(
        value,
        (actual as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (problem) return problem;
    }
    return undefined;
  }
  return Object.is(expected, actual)
    ? undefined
    : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function countOf(events: readonly { type: string }[]): string {
  if (events.length === 0) return 'no events';
  const noun = events.length === 1 ? 'event' : 'events';
  return `${events.length} ${noun} (${events.map((event) => event.type).join(', ')})`;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
