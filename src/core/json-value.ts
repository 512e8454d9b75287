import { MAX_JSON_DEPTH } from './input.js';

// Values that code hands over (a decider's events, a library caller's append, a spec's given
// events) must be what typed-in JSON can be: JSON.stringify would otherwise store something
// else without a word (a Date as a string, NaN as null, undefined not at all) or throw a
// message of several lines (a cycle), and the store's own export could not be imported.

/**
 * Why `value` is not a plain JSON object that stores and reads back unchanged, or undefined
 * when it is. `name` starts the path in the answer, e.g. `data.items[2].when is a Date`.
 */
export function jsonObjectProblem(value: unknown, name: string): string | undefined {
  if (!isPlainObject(value)) return `${name} must be a plain object, got ${kindOf(value)}`;
  if (isShallowJson(value, 1)) return undefined;
  return jsonValueProblem(value, name);
}

// Every event appended passes here, most of them a handful of scalars: a first walk that builds
// no paths and no bookkeeping answers for them. It gives up (false) on anything unusual, deeper
// than this, or wrong, and the full walk below then decides and says why.
const SHALLOW_DEPTH = Math.min(MAX_JSON_DEPTH, 32);

function isShallowJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > SHALLOW_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let index = 0; index < value.length; index += 1) {
          if (!isShallowJson(value[index], depth + 1)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key of Object.keys(value)) {
        if (!isShallowJson(value[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Iterative, so that a value nested 100,000 deep gets an answer, not a stack overflow. */
function jsonValueProblem(root: unknown, name: string): string | undefined {
  const onPath = new Set<object>();
  // An entry is a value to look at, or (`leave`) the object whose children are all done.
  const pending: { value: unknown; path: string; depth: number; leave?: boolean }[] = [
    { value: root, path: name, depth: 1 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (next.leave) {
      onPath.delete(value as object);
      continue;
    }
    const problem = scalarProblem(value);
    if (problem === null) continue;
    if (problem !== undefined) return `${path} is ${problem}`;
    const object = value as object;
    if (onPath.has(object)) return `${path} is circular: it contains itself`;
    if (depth > MAX_JSON_DEPTH) return `${name} is nested more than ${MAX_JSON_DEPTH} levels deep`;
    onPath.add(object);
    pending.push({ value: object, path, depth, leave: true });
    if (Array.isArray(object)) {
      for (let index = object.length - 1; index >= 0; index -= 1) {
        pending.push({ value: object[index], path: `${path}[${index}]`, depth: depth + 1 });
      }
    } else {
      for (const [key, child] of Object.entries(object).reverse()) {
        pending.push({ value: child, path: `${path}${keyPath(key)}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** null for a scalar that is fine, undefined for an object or array to walk, else the problem. */
function scalarProblem(value: unknown): string | null | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${String(value)}, not a JSON number`;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) {
        return Object.getPrototypeOf(value) === Array.prototype ? undefined : kindOf(value);
      }
      return isPlainObject(value) ? undefined : `${kindOf(value)}, not plain JSON data`;
    default:
      return `${kindOf(value)}, not JSON data`;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  // A toJSON would store what it returns, not the object (a Date's gives a string).
  return (
    (prototype === Object.prototype || prototype === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const constructorName = (
      Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null
    )?.constructor?.name;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && isPlainPrototype(value)) {
      return 'an object with a toJSON method';
    }
    return typeof constructorName === 'string' && constructorName !== ''
      ? `a ${constructorName}`
      : 'an object';
  }
  return `a ${typeof value}`;
}

function isPlainPrototype(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
