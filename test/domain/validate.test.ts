import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { validateDomain } from '../../src/domain/validate.js';

const decider = () => ({
  category: 'account',
  commands: ['Deposit'],
  streamId: () => 'a1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: () => [],
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

describe('validateDomain', () => {
  it('accepts a well-formed domain and returns it as it is', () => {
    const domain = { deciders: { account: decider() }, projections: [] };
    expect(validateDomain(domain, 'eventlite.config.ts')).toBe(domain);
  });

  it('names the file and the missing function', () => {
    const noEvolve: Record<string, unknown> = decider();
    delete noEvolve.evolve;
    expect(problemWith({ deciders: { account: noEvolve } })).toBe(
      'eventlite.config.ts: decider "account" has no evolve()',
    );
  });

  it.each([
    [undefined, 'no default export'],
    [42, 'the default export must be defineDomain'],
    [{}, 'the domain has no deciders object'],
    [{ deciders: {} }, 'the domain has no deciders'],
    [
      { deciders: { account: { ...decider(), decide: 'yes' } } },
      'decider "account": decide must be a function, got string "yes"',
    ],
    [
      { deciders: { account: { ...decider(), commands: [] } } },
      'decider "account" has no commands list',
    ],
    [{ deciders: { account: { ...decider(), category: 'bank-account' } } }, 'no "-"'],
    [
      { deciders: { a: decider(), b: { ...decider(), category: 'other' } } },
      'command "Deposit" is handled by both "a" and "b"',
    ],
    [
      { deciders: { a: decider(), b: { ...decider(), commands: ['Other'] } } },
      'share the category "account"',
    ],
    [{ deciders: { a: decider() }, projections: {} }, 'projections must be a list'],
    [
      {
        deciders: { a: decider() },
        projections: [{ name: 'p', version: 1, setup: [], on: { X: 1 } }],
      },
      'projection "p": on.X must be a function',
    ],
    [
      { deciders: { a: decider() }, projections: [{ name: 'p', version: 0, setup: [], on: {} }] },
      'projection "p" needs a version',
    ],
    [
      { deciders: { a: decider() }, projections: [{ name: 'p', version: 1, setup: [1], on: {} }] },
      'projection "p": setup must be a list of SQL statements',
    ],
  ])('refuses %j: %s', (value, expected) => {
    const message = problemWith(value);
    expect(message.startsWith('eventlite.config.ts: ')).toBe(true);
    expect(message).toContain(expected);
  });
});
