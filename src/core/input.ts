import { InputError } from './errors.js';
import type { JsonObject } from './events.js';

// Validation at the boundary: every parser here either returns a clean value or throws an
// InputError whose message names the flag or field and quotes what was given.

export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  return requireObject(value, what);
}

export function requireObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${what} must be a JSON object, got ${describeJson(value)}`);
  }
  return value as JsonObject;
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

export function parsePositiveInteger(flag: string, text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InputError(`${flag} must be a positive integer, got ${quote(text)}`);
  }
  return value;
}

export function parseNonNegativeInteger(flag: string, text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new InputError(`${flag} must be a non-negative integer, got ${quote(text)}`);
  }
  return value;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
export const MAX_NAME_LENGTH = 1000;

/** Stream names and event types: non-empty, printable, of a sane length. */
export function validateName(kind: 'stream' | 'event type', name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InputError(`${kind} name must be a non-empty string`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InputError(
      `${kind} name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
    );
  }
  if (CONTROL_CHARACTER.test(name)) {
    throw new InputError(`${kind} name ${JSON.stringify(name)} contains a control character`);
  }
  return name;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateEventId(id: unknown, what = 'event id'): string {
  if (typeof id !== 'string' || !UUID.test(id)) {
    throw new InputError(`${what} must be a UUID, got ${describeJson(id)}`);
  }
  return id.toLowerCase();
}

function quote(text: string): string {
  return `"${text}"`;
}
