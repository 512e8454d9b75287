// The consumer side of Standard Schema (https://standardschema.dev, version 1): the
// `~standard` interface that zod, valibot and arktype implement. A domain brings whichever
// validator it likes; eventlite needs none of them, only these few types and one call.

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
