import { jsonObjectProblem } from './json-value.js';

// The consumer side of Standard Schema (https://standardschema.dev, version 1): the
// `~standard` interface that zod, valibot and arktype implement. A domain brings whichever
// validator it likes; eventlite needs none of them, only these few types and one call. And of
// its companion, Standard JSON Schema: a schema that can also describe itself as JSON Schema.

/** A schema of any Standard Schema library: `z.object({...})`, `v.object({...})`, `type({...})`. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- the spec's own shape, as libraries declare it
export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['output'];
}

/**
 * A schema that can describe itself as JSON Schema (https://standardschema.dev/json-schema):
 * zod 4.2+ and arktype 2.1.28+ schemas are such, valibot's through `toStandardJsonSchema()`.
 * Orthogonal to StandardSchemaV1: one object may implement both under one `~standard`.
 */
export interface StandardJSONSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardJSONSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- the spec's own shape, as libraries declare it
export declare namespace StandardJSONSchemaV1 {
  /** Version, vendor and types as a Standard Schema has them; a converter in place of validate. */
  interface Props<Input = unknown, Output = Input> extends Omit<
    StandardSchemaV1.Props<Input, Output>,
    'validate'
  > {
    readonly jsonSchema: Converter;
  }
  /** Each may throw when the schema cannot be written as JSON Schema. */
  interface Converter {
    readonly input: (options: Options) => Record<string, unknown>;
    readonly output: (options: Options) => Record<string, unknown>;
  }
  type Target = 'draft-2020-12' | 'draft-07' | 'openapi-3.0' | (string & {});
  interface Options {
    readonly target: Target;
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
}

/**
 * The JSON Schema (draft 2020-12) of what `schema` accepts, when it implements Standard JSON
 * Schema and answers with a plain JSON object; otherwise undefined. The schema is user code:
 * a throw, a Promise or an answer that JSON cannot carry (a cycle, a function, a BigInt) is
 * "cannot say", never an error, since nothing but a form to fill depends on it.
 */
export function inputJsonSchema(schema: unknown): Record<string, unknown> | undefined {
  try {
    if ((typeof schema !== 'object' && typeof schema !== 'function') || schema === null) {
      return undefined;
    }
    const props = (schema as { '~standard'?: unknown })['~standard'];
    if (typeof props !== 'object' || props === null) return undefined;
    const converter = (props as { jsonSchema?: unknown }).jsonSchema;
    if (typeof converter !== 'object' || converter === null) return undefined;
    const input = (converter as { input?: unknown }).input;
    if (typeof input !== 'function') return undefined;
    const answer: unknown = input.call(converter, { target: 'draft-2020-12' });
    if (isThenable(answer)) {
      Promise.resolve(answer).catch(() => {});
      return undefined;
    }
    if (jsonObjectProblem(answer, 'jsonSchema') !== undefined) return undefined;
    // A copy of our own: the library may hand out its cached object.
    return JSON.parse(JSON.stringify(answer)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One problem a schema found: where (`amount`, `items[0].sku`, `` for the whole value) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

export type SchemaOutcome = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/** Whether `value` carries a Standard Schema (version 1) `~standard` with a validate function. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  if (typeof props !== 'object' || props === null) return false;
  const { version, validate } = props as { version?: unknown; validate?: unknown };
  return version === 1 && typeof validate === 'function';
}

/** A schema answered with a Promise; see validateWithSchema. */
export class AsyncSchemaError extends Error {
  constructor() {
    super(
      'validated asynchronously (an async refinement?): eventlite needs a schema that validates synchronously',
    );
  }
}

/**
 * Validates `value`. A schema that answers with a Promise (an async refinement) is refused with
 * an AsyncSchemaError: a decider's world is synchronous, and `eventlite test` must decide
 * exactly as `exec` does. What the schema itself throws is thrown on; the caller names it.
 */
export function validateWithSchema(schema: StandardSchemaV1, value: unknown): SchemaOutcome {
  const result = schema['~standard'].validate(value);
  if (isThenable(result)) {
    // Its rejection would otherwise surface later as an unhandled one.
    Promise.resolve(result).catch(() => {});
    throw new AsyncSchemaError();
  }
  const settled = result as StandardSchemaV1.Result<unknown>;
  if (settled.issues === undefined) return { ok: true, value: settled.value };
  const issues = [...settled.issues].map((issue) => ({
    path: issuePath(issue.path),
    message: String(issue.message),
  }));
  // A failure with no issue listed is still a failure.
  return { ok: false, issues: issues.length > 0 ? issues : [{ path: '', message: 'invalid' }] };
}

/** `items[0].sku` from `['items', 0, 'sku']` (or the same as `{ key }` segments). */
export function issuePath(path: StandardSchemaV1.Issue['path']): string {
  let text = '';
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') text += `[${key}]`;
    else text += `${text === '' ? '' : '.'}${String(key)}`;
  }
  return text;
}

/** `amount: Expected number` or, for the whole value, the message alone. */
export function describeIssue(issue: SchemaIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

function isThenable(value: unknown): boolean {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
