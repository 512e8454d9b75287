import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { validateDomain } from '../../src/domain/validate.js';

const decider = () => ({
  category: 'account',
  streamId: () => 'a1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: { Deposit: () => [] },
});

const withProjections = (...projections: object[]) => ({
  deciders: { account: decider() },
  projections: projections.map((projection) => ({
    name: 'p',
    version: 1,
    setup: ['CREATE TABLE t (k TEXT)'],
    on: {},
    ...projection,
  })),
});

const problemWith = (value: unknown): string => {
  try {
    validateDomain(value, 'eventlite.config.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('the domain was accepted');
};

const both = { sqlite: 'SELECT 1 AS one', postgres: 'SELECT 1 AS one' };

describe('validateDomain: per-dialect SQL and materialized views', () => {
  it('accepts per-dialect SQL in setup and views, and materialized views', () => {
    const domain = withProjections({
      setup: [
        'CREATE TABLE t (k TEXT)',
        { sqlite: 'CREATE TABLE u (k)', postgres: 'CREATE TABLE u (k TEXT)' },
      ],
      views: [{ sqlite: 'CREATE VIEW v AS SELECT 1', postgres: 'CREATE VIEW v AS SELECT 1' }],
      materializedViews: [
        { name: 'monthly_customer_summary', query: both },
        { name: 'plain', query: 'SELECT k FROM t' },
      ],
    });
    expect(validateDomain(domain, 'eventlite.config.ts')).toBe(domain);
  });

  it.each([
    [
      { setup: [{ sqlite: 'CREATE TABLE t (k)' }] },
      'projection "p": setup must be a list of SQL statements: entry 1 has no postgres text (give both, or one string for both), got nothing',
    ],
    [
      { setup: ['CREATE TABLE t (k)', { sqlite: 'x', postgresql: 'y' }] },
      'projection "p": setup must be a list of SQL statements: entry 2 has an unknown dialect "postgresql" (the dialects are sqlite and postgres)',
    ],
    [
      { views: [42] },
      "projection \"p\": views must be a list of SQL statements: entry 1 must be SQL text, or { sqlite: '…', postgres: '…' } for SQL that differs, got number 42",
    ],
    [
      { views: 'CREATE VIEW v AS SELECT 1' },
      'projection "p": views must be a list of SQL statements',
    ],
    [
      { materializedViews: { name: 'm', query: 'SELECT 1' } },
      'projection "p": materializedViews must be a list of { name, query }, got an object',
    ],
    [
      { materializedViews: ['SELECT 1'] },
      'projection "p": materialized view 1 must be { name, query }, got string "SELECT 1"',
    ],
    [
      { materializedViews: [{ name: 'Monthly', query: both }] },
      'projection "p": materialized view 1 needs a name of lower-case letters, digits and _ (at most 63), got string "Monthly"',
    ],
    [
      { materializedViews: [{ name: 'eventlite_totals', query: both }] },
      'projection "p": materialized view 1: the name "eventlite_totals" is taken: names starting with eventlite_ are eventlite\'s',
    ],
    [
      { materializedViews: [{ name: 'm' }] },
      'projection "p": materialized view "m": its query is missing',
    ],
    [
      { materializedViews: [{ name: 'm', query: { sqlite: 'SELECT 1', postgres: 7 } }] },
      'projection "p": materialized view "m": its query has no postgres text (give both, or one string for both), got number 7',
    ],
    [
      { materializedViews: [{ name: 'm', query: both, indexes: [] }] },
      'projection "p": materialized view "m" has an unknown key "indexes" (it takes name and query)',
    ],
    [
      {
        materializedViews: [
          { name: 'm', query: both },
          { name: 'm', query: both },
        ],
      },
      'projection "p" declares materialized view "m" twice',
    ],
  ])('refuses %j', (projection, expected) => {
    expect(problemWith(withProjections(projection))).toBe(`eventlite.config.ts: ${expected}`);
  });

  it('refuses one materialized view name in two projections', () => {
    const domain = withProjections(
      { name: 'a', materializedViews: [{ name: 'm', query: both }] },
      { name: 'b', materializedViews: [{ name: 'm', query: both }] },
    );
    expect(problemWith(domain)).toBe(
      'eventlite.config.ts: projections "a" and "b" both declare materialized view "m"',
    );
  });
});
