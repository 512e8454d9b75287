import type { StandardJSONSchemaV1, StandardSchemaV1 } from '../../src/core/standard-schema.js';

// A hand-written Standard Schema, the smallest there can be: eventlite implements the
// consumer side of the `~standard` interface itself, and these tests hold it to the spec
// without any validator installed.

/** Passes an object whose `fields` are numbers; each other value is an issue at its path. */
export function numbersSchema(
  ...fields: string[]
): StandardSchemaV1<unknown, Record<string, number>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'eventlite-tests',
      validate(value) {
        if (typeof value !== 'object' || value === null) {
          return { issues: [{ message: 'expected an object' }] };
        }
        const record = value as Record<string, unknown>;
        const issues = fields
          .filter((field) => typeof record[field] !== 'number')
          .map((field) => ({ message: `expected a number`, path: [field] }));
        return issues.length > 0 ? { issues } : { value: record as Record<string, number> };
      },
    },
  };
}

/** A schema whose validate answers with a Promise, as one with an async refinement does. */
export const asyncSchema: StandardSchemaV1 = {
  '~standard': {
    version: 1,
    vendor: 'eventlite-tests',
    validate: async (value) => ({ value }),
  },
};

/**
 * A schema that also implements Standard JSON Schema: `input` answers what `describe` gives
 * (or throws what it throws), and each call's options are kept in `asked`. It validates
 * anything, as only its JSON Schema is under test.
 */
export function describedSchema(describe: () => unknown): {
  '~standard': StandardSchemaV1.Props & StandardJSONSchemaV1.Props;
  asked: StandardJSONSchemaV1.Options[];
} {
  const asked: StandardJSONSchemaV1.Options[] = [];
  // What a library's types promise; this schema answers anything, as user code may.
  const answer = () => describe() as Record<string, unknown>;
  return {
    asked,
    '~standard': {
      version: 1,
      vendor: 'eventlite-tests',
      validate: (value) => ({ value }),
      jsonSchema: {
        input: (options) => {
          asked.push(options);
          return answer();
        },
        output: answer,
      },
    },
  };
}
