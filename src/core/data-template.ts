import type { JsonObject } from './events.js';

// A command's data to start from, read off the JSON Schema of its input: what the page's
// command box fills in, for a person to edit rather than type from nothing. Each property gets
// the value the schema suggests (default, const, the first enum value or example) or a
// placeholder of its type. Only what a form needs of JSON Schema is read; anything else
// (a format, a pattern, a minimum) is left for the schema's own validate to say.

/** The data to start from, its required fields first, and which fields those are. */
export interface DataTemplate {
  data: JsonObject;
  required: string[];
}

type Schema = Record<string, unknown>;

/** Objects nested deeper than this are left empty: a recursive schema still ends. */
const MAX_DEPTH = 6;

/**
 * The template of an object schema, or undefined when the schema does not describe an object
 * (command data is one). A `$ref` is followed within the schema (`#`, `#/$defs/…`,
 * `#/definitions/…`), but not again inside itself: there its type starts empty (`{}`), so a
 * recursive schema gives one level.
 */
export function dataTemplate(root: Schema): DataTemplate | undefined {
  const value = valueOf(root, root, 0, new Set(['#']));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const data = value as JsonObject;
  const required = partsOf(root, root).flatMap(requiredOf);
  return { data, required: [...new Set(required)].filter((name) => Object.hasOwn(data, name)) };
}

function valueOf(root: Schema, node: unknown, depth: number, following: Set<string>): unknown {
  if (!isSchema(node)) return null;
  if ('default' in node) return structuredClone(node.default);
  if ('const' in node) return structuredClone(node.const);
  if (Array.isArray(node.enum) && node.enum.length > 0) return structuredClone(node.enum[0]);
  if (Array.isArray(node.examples) && node.examples.length > 0) {
    return structuredClone(node.examples[0]);
  }
  if (typeof node.$ref === 'string') {
    const target = resolve(root, node);
    if (target === undefined || following.has(node.$ref)) return emptyOf(target);
    return valueOf(root, target, depth, new Set(following).add(node.$ref));
  }
  const choice = firstChoice(node);
  if (choice !== undefined) return valueOf(root, choice, depth, following);
  if (!describesObject(node)) return placeholder(typeOf(node));
  if (depth >= MAX_DEPTH) return {};
  return objectOf(root, node, depth, following);
}

/** Every property of an object schema (allOf's parts merged in), required ones first. */
function objectOf(root: Schema, node: Schema, depth: number, following: Set<string>): JsonObject {
  // A Map, not an object: a property may be called __proto__.
  const properties = new Map<string, unknown>();
  const parts = partsOf(root, node);
  for (const part of parts) {
    if (isSchema(part.properties)) {
      for (const [name, property] of Object.entries(part.properties))
        properties.set(name, property);
    }
  }
  const required = parts.flatMap(requiredOf).filter((name) => properties.has(name));
  const names = new Set([...required, ...properties.keys()]);
  return Object.fromEntries(
    [...names].map((name) => [name, valueOf(root, properties.get(name), depth + 1, following)]),
  );
}

/** The schema and the parts its allOf adds (an intersection), each resolved. */
function partsOf(root: Schema, node: Schema): Schema[] {
  const self = resolve(root, node) ?? node;
  const more = Array.isArray(self.allOf) ? self.allOf : [];
  return [self, ...more.map((part) => resolve(root, part)).filter((part) => part !== undefined)];
}

/** The first alternative of anyOf/oneOf that is not null: an optional field's real type. */
function firstChoice(node: Schema): unknown {
  const choices = Array.isArray(node.anyOf) ? node.anyOf : node.oneOf;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  return choices.find((choice) => !(isSchema(choice) && choice.type === 'null')) ?? choices[0];
}

/** The node itself, or what its `$ref` points at within `root`; undefined when it cannot. */
function resolve(root: Schema, node: unknown): Schema | undefined {
  if (!isSchema(node)) return undefined;
  if (typeof node.$ref !== 'string') return node;
  // Only a pointer into this schema: `#` or `#/…`; not another document, nor an anchor.
  const pointer = node.$ref.slice(1);
  if (!node.$ref.startsWith('#') || (pointer !== '' && !pointer.startsWith('/'))) return undefined;
  let target: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    const key = pointerKey(segment);
    if (key === undefined || !isSchema(target) || !Object.hasOwn(target, key)) return undefined;
    target = target[key];
  }
  return isSchema(target) ? target : undefined;
}

/** A JSON Pointer segment as a key (`~1` is `/`, `~0` is `~`, in a URI fragment's escapes). */
function pointerKey(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
  } catch {
    return undefined;
  }
}

/** What a `$ref` met again inside itself stands for: its type, empty. */
function emptyOf(target: Schema | undefined): unknown {
  if (target === undefined) return null;
  return describesObject(target) ? {} : placeholder(typeOf(target));
}

function placeholder(type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return null;
  }
}

/** `type`, or the first of a list that is not "null" (`["string", "null"]` is a string). */
function typeOf(node: Schema): string | undefined {
  if (typeof node.type === 'string') return node.type;
  if (!Array.isArray(node.type)) return undefined;
  const types = node.type.filter((type): type is string => typeof type === 'string');
  return types.find((type) => type !== 'null') ?? types[0];
}

/** `type: "object"`, or no type but properties or an intersection (zod writes `allOf`). */
function describesObject(node: Schema): boolean {
  const type = typeOf(node);
  return (
    type === 'object' ||
    (type === undefined && (isSchema(node.properties) || Array.isArray(node.allOf)))
  );
}

function requiredOf(node: Schema): string[] {
  return Array.isArray(node.required)
    ? node.required.filter((name): name is string => typeof name === 'string')
    : [];
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
