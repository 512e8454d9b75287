import { InputError } from './errors.js';
import type { JsonObject } from './events.js';

// Validation at the boundary: every parser here either returns a clean value or throws an
// InputError whose message names the flag or field and quotes what was given.

export function parseJsonObject(text: string, what: string, options: JsonLimits = {}): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  checkJsonLimits(value, text, what, options);
  return requireObject(value, what);
}

/**
 * Data and metadata deeper than this are refused (the object itself is level 1): storing and
 * printing them would overflow the call stack.
 */
export const MAX_JSON_DEPTH = 512;

export interface JsonLimits {
  /**
   * The text is an envelope (a line of `append --file`, `replay` or an export) holding data and
   * metadata one level down, so it may be one level deeper than they may.
   */
  envelope?: boolean;
}

/**
 * What JSON.parse accepts but the store could not give back unchanged is bad input: a number
 * whose value would change (see checkNumberLiteral) and nesting deeper than MAX_JSON_DEPTH.
 * `text` is what `value` was parsed from; `what` prefixes messages.
 */
export function checkJsonLimits(
  value: unknown,
  text: string,
  what: string,
  options: JsonLimits = {},
): void {
  if (mayHoldInexactNumber(text)) checkNumberLiterals(text, what);
  const limit = options.envelope ? MAX_JSON_DEPTH + 1 : MAX_JSON_DEPTH;
  if (isNestedTooDeep(value, text, limit)) {
    throw new InputError(`${what}: JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

/**
 * Whether `value`, parsed from `text`, is nested deeper than `limit` (MAX_JSON_DEPTH unless
 * told): JSON.stringify and every printer would overflow the stack on it. Going deeper takes
 * more opening brackets than a short text holds, so a short one is not walked.
 */
export function isNestedTooDeep(value: unknown, text: string, limit = MAX_JSON_DEPTH): boolean {
  return text.length > limit && nestingExceeds(value, limit);
}

// A number literal can change only with 16 or more digits (a double holds any 15), or with an
// exponent of 3 digits (overflow, underflow, subnormals); most text has neither. In valid JSON
// a literal starts the text or follows ':', ',' or '[' (and maybe whitespace), and its digits
// and '.' run on unbroken, so this finds every literal that may change. Looking only where a
// literal may start (not at every digit or 'e', as in hex ids and times) is about twice as fast;
// a text that is a bare number is sent to the exact check whatever it holds.
const MAY_BE_INEXACT = /[:,[]\s*-?(?:[\d.]{16}|\d+(?:\.\d*)?[eE][+-]?\d{3})/;
const STARTS_WITH_NUMBER = /^\s*-?\d/;

/**
 * False only when no number literal in `text` (valid JSON) can change when stored; true sends
 * the text to the exact check, which decides. Exported for the test that pits it against it.
 */
export function mayHoldInexactNumber(text: string): boolean {
  return STARTS_WITH_NUMBER.test(text) || MAY_BE_INEXACT.test(text);
}

function checkNumberLiterals(text: string, what: string): void {
  // `text` is valid JSON, so outside strings a '-' or a digit starts a number literal.
  for (let index = 0; index < text.length;) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      index = endOfString(text, index);
    } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      let end = index + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1;
      checkNumberLiteral(text.slice(index, end), what);
      index = end;
    } else {
      index += 1;
    }
  }
}

/** A digit, '.', 'e', 'E', '+' or '-'. */
function isNumberChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || [0x2e, 0x65, 0x45, 0x2b, 0x2d].includes(code);
}

/**
 * The rule for every JSON number: it is stored as JavaScript prints the double it parses to,
 * so it is accepted only when that text has the same decimal value as the literal (`1.50`,
 * `1e2` and `-0` are kept as `1.5`, `100` and `0`). Anything else would be stored changed
 * and is refused: out of range (1e400), rounded (9007199254740993, 0.12345678901234567890)
 * or flushed to zero (1e-400). Export prints numbers that way, so import takes its own back.
 */
export function checkNumberLiteral(literal: string, what: string): void {
  const value = Number(literal);
  const shown = literal.length > 40 ? `${literal.slice(0, 37)}...` : literal;
  if (!Number.isFinite(value)) {
    throw new InputError(`${what}: number ${shown} is out of range (beyond ±1.8e308)`);
  }
  const stored = String(value);
  if (sameDecimal(literal, stored)) return;
  if (/^-?\d+$/.test(literal)) {
    throw new InputError(
      `${what}: integer ${shown} is beyond ±${Number.MAX_SAFE_INTEGER} and would lose digits; send it as a string`,
    );
  }
  throw new InputError(
    `${what}: number ${shown} cannot be stored exactly (it would become ${stored}); send it as a string`,
  );
}

/** True when two JSON-style number texts denote the same decimal value. */
function sameDecimal(a: string, b: string): boolean {
  const x = decimalOf(a);
  const y = decimalOf(b);
  if (x.digits === '' && y.digits === '') return true; // 0 and -0 alike
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/** `text` as sign, significant digits (no leading or trailing zeros) and a power of ten. */
function decimalOf(text: string): { negative: boolean; digits: string; exponent: number } {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const [, sign = '', whole = '', fraction = '', power = '0'] = match;
  const all = whole + fraction;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(leading).replace(/0+$/, '');
  // The value is 0.DIGITS × 10^exponent; a huge written exponent only matters with digits.
  const exponent = digits === '' ? 0 : Number(power) + whole.length - leading;
  return { negative: sign === '-', digits, exponent };
}

/** The index just past the string literal that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let quote = text.indexOf('"', start + 1); ; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
  }
}

// Iterative: a value nested 100,000 deep parses fine, but any recursive walk overflows the stack.
function nestingExceeds(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    if (depth > limit) return true;
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
    }
  }
  return false;
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

// C0, DEL and C1: U+009B alone starts a terminal escape sequence, like ESC [.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// With the u flag a paired surrogate is one code point, so this finds only lone halves: SQLite
// would store each as U+FFFD, and the name read back would not be the name written.
const LONE_SURROGATE = /\p{Cs}/u;
export const MAX_NAME_LENGTH = 1000;

/** Stream, event type, subject and subscription names: non-empty, printable, of a sane length. */
export function validateName(
  kind: 'stream' | 'event type' | 'subject' | 'subscription',
  name: unknown,
): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InputError(`${kind} name must be a non-empty string`);
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InputError(
      `${kind} name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
    );
  }
  if (hasControlCharacter(name)) {
    throw new InputError(`${kind} name ${quoteText(name)} contains a control character`);
  }
  if (LONE_SURROGATE.test(name)) {
    throw new InputError(`${kind} name ${JSON.stringify(name)} is not valid Unicode`);
  }
  return name;
}

/** Whether `text` holds a C0 or C1 control character or DEL: what names and ids refuse. */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** Text as JSON, with DEL and C1 controls escaped too: U+009B on a terminal starts an escape. */
export function quoteText(name: string): string {
  return JSON.stringify(name).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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
