import type { StandardSchemaV1 } from '../../src/core/standard-schema.js';

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
