import { describe, expect, it } from 'vitest';
import {
  AsyncSchemaError,
  describeIssue,
  inputJsonSchema,
  isStandardSchema,
  issuePath,
  validateWithSchema,
  type StandardSchemaV1,
} from '../../src/core/standard-schema.js';
import { asyncSchema, describedSchema, numbersSchema } from '../helpers/standard-schema.js';

// The consumer side of Standard Schema v1, against hand-written schemas.

describe('Standard Schema', () => {
  it('tells a schema by its ~standard version 1 and validate function', () => {
    expect(isStandardSchema(numbersSchema('a'))).toBe(true);
    // Some libraries' schemas are functions (arktype's types are callable).
    const callable = Object.assign(() => 0, { '~standard': numbersSchema('a')['~standard'] });
    expect(isStandardSchema(callable)).toBe(true);
    for (const value of [
      null,
      {},
      { '~standard': null },
      { '~standard': { version: 2, validate: () => ({ value: 1 }) } },
      { '~standard': { version: 1, validate: 'no' } },
      { parse: () => 1 },
    ]) {
      expect(isStandardSchema(value)).toBe(false);
    }
  });

  it('gives the value back on success, as the schema returns it', () => {
    const trimming: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 't', validate: (value) => ({ value: { n: 1, value } }) },
    };
    expect(validateWithSchema(trimming, 'x')).toEqual({ ok: true, value: { n: 1, value: 'x' } });
    expect(validateWithSchema(numbersSchema('a'), { a: 1 })).toEqual({ ok: true, value: { a: 1 } });
  });

  it('lists every issue with its path, keys and segments alike', () => {
    expect(validateWithSchema(numbersSchema('a', 'b'), { a: 'x' })).toEqual({
      ok: false,
      issues: [
        { path: 'a', message: 'expected a number' },
        { path: 'b', message: 'expected a number' },
      ],
    });
    expect(issuePath(['items', 0, 'sku'])).toBe('items[0].sku');
    expect(issuePath([{ key: 'items' }, { key: 2 }, 'price'])).toBe('items[2].price');
    expect(issuePath(undefined)).toBe('');
    expect(describeIssue({ path: 'amount', message: 'required' })).toBe('amount: required');
    expect(describeIssue({ path: '', message: 'expected an object' })).toBe('expected an object');
  });

  it('counts a failure that lists no issue as a failure', () => {
    const empty: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 't', validate: () => ({ issues: [] }) },
    };
    expect(validateWithSchema(empty, {})).toEqual({
      ok: false,
      issues: [{ path: '', message: 'invalid' }],
    });
  });

  it('refuses a schema that validates asynchronously', () => {
    expect(() => validateWithSchema(asyncSchema, {})).toThrow(AsyncSchemaError);
  });
});

describe('Standard JSON Schema', () => {
  const object = { type: 'object', properties: { amount: { type: 'number' } } };

  it("asks for the input's JSON Schema, draft 2020-12, and answers a copy of its own", () => {
    const schema = describedSchema(() => object);
    const answer = inputJsonSchema(schema);
    expect(answer).toEqual(object);
    expect(schema.asked).toEqual([{ target: 'draft-2020-12' }]);
    answer!.type = 'string';
    expect(object.type).toBe('object');
  });

  it('cannot say for a schema with validate alone, or for no schema', () => {
    for (const value of [numbersSchema('a'), undefined, null, {}, { '~standard': null }]) {
      expect(inputJsonSchema(value)).toBeUndefined();
    }
    const notFunction = { '~standard': { version: 1, jsonSchema: { input: 'no' } } };
    expect(inputJsonSchema(notFunction)).toBeUndefined();
  });

  it('cannot say when the schema throws, answers a Promise, or answers what JSON cannot carry', () => {
    const cycle: Record<string, unknown> = { type: 'object' };
    cycle.self = cycle;
    const answers: (() => unknown)[] = [
      () => {
        throw new Error('cannot be written as JSON Schema');
      },
      () => {
        throw 'a string';
      },
      () => 'object',
      () => null,
      () => [object],
      () => Promise.resolve(object),
      () => Promise.reject(new Error('rejected later')),
      () => cycle,
      () => ({ type: 'object', default: 1n }),
      () => ({ type: 'object', validate: () => true }),
    ];
    for (const answer of answers) expect(inputJsonSchema(describedSchema(answer))).toBeUndefined();
    const throwing = {
      get '~standard'(): never {
        throw new Error('a getter that throws');
      },
    };
    expect(inputJsonSchema(throwing)).toBeUndefined();
  });
});
