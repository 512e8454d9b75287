import { InputError } from './errors.js';
import type { JsonObject } from './events.js';

// A field of event data named as `owner` or `address.street`: keys one level each, a number
// indexing an array. What `redact --field` and a domain's personalData declaration name.

export type FieldPath = readonly string[];

export function parseFieldPath(text: string, what: string): FieldPath {
  const segments = text.split('.');
  if (text === '' || segments.some((segment) => segment === '')) {
    throw new InputError(`${what} must name a field like owner or address.street, got "${text}"`);
  }
  return segments;
}

/** The value at `path`, or undefined when the path does not reach one. */
export function fieldAt(data: JsonObject, path: FieldPath): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Replaces the value at `path` in place with what `replace` makes of it; false (and nothing
 * changed) when the path does not reach a value.
 */
export function replaceFieldAt(
  data: JsonObject,
  path: FieldPath,
  replace: (value: unknown) => unknown,
): boolean {
  let parent: unknown = data;
  for (const segment of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, segment)) {
      return false;
    }
    parent = (parent as Record<string, unknown>)[segment];
  }
  const last = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, last)) return false;
  const holder = parent as Record<string, unknown>;
  // Defined, not assigned: a key named __proto__ is data here, never the prototype.
  Object.defineProperty(holder, last, {
    value: replace(holder[last]),
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return true;
}
