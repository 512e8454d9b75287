import { describe, expect, it } from 'vitest';
import {
  AsyncSchemaError,
  describeIssue,
  isStandardSchema,
  issuePath,
  validateWithSchema,
  type StandardSchemaV1,
} from '../../src/core/standard-schema.js';
import { asyncSchema, numbersSchema } from '../helpers/standard-schema.js';

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
