import { InputError } from './errors.js';
import type { QueryParams } from './ports.js';

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** `NAME=VALUE` → a binding for `:NAME`; values that read as numbers bind as numbers. */
export function parseQueryParam(text: string, into: QueryParams = {}): QueryParams {
  const equals = text.indexOf('=');
  const name = equals < 0 ? '' : text.slice(0, equals);
  if (!PARAM_NAME.test(name)) {
    throw new InputError(`--param must be NAME=VALUE with NAME a plain identifier, got "${text}"`);
  }
  const raw = text.slice(equals + 1);
  const number = Number(raw);
  // Beyond 2^53 an integer would lose digits, and 1e400 would bind as Infinity: both stay text.
  const asNumber =
    NUMBER.test(raw) &&
    Number.isFinite(number) &&
    (Number.isSafeInteger(number) || !Number.isInteger(number));
  return { ...into, [name]: asNumber ? number : raw };
}

/**
 * A query's parameter trouble, worded the same on both backends: a `:name` with no value, or
 * `?` placeholders (as articles write them for other tools), which eventlite does not bind.
 */
export function missingParamMessage(name: string): string {
  return `query failed: no value for :${name}; give --param ${name}=VALUE`;
}

export const POSITIONAL_PARAMS_HINT =
  '? placeholders are not bound here: name each parameter (WHERE id = :id) and give --param id=VALUE';
