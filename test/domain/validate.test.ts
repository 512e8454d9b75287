import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { validateDomain } from '../../src/domain/validate.js';

const decider = () => ({
  category: 'account',
  streamId: () => 'a1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: { Deposit: () => [] } as Record<string, unknown>,
});

const bookDecider = () => ({
  category: 'book',
  streamId: () => 'b1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: { Lend: () => [], Return: () => [] } as Record<string, unknown>,
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
      'decider "account": decide must be a map of handlers by command type (decide: { Deposit: (command, state) => [...] }), got string "yes"',
    ],
    [
      { deciders: { account: { ...decider(), decide: () => [] } } },
      'decider "account": decide must be a map of handlers by command type',
    ],
    [
      { deciders: { account: { ...decider(), decide: undefined } } },
      'decider "account" has no decide map of handlers by command type',
    ],
    [{ deciders: { account: { ...decider(), category: 'bank-account' } } }, 'no "-"'],
    [
      { deciders: { a: decider(), b: { ...decider(), category: 'other' } } },
      'command "Deposit" is handled by both "a" and "b"',
    ],
    [
      { deciders: { a: decider(), b: { ...decider(), decide: { Other: () => [] } } } },
      'share the category "account"',
    ],
    [
      { deciders: { book: { ...bookDecider(), decide: { Lend: () => [], Return: 42 } } } },
      'decider "book": decide.Return must be a function, got number 42',
    ],
    [
      { deciders: { book: { ...bookDecider(), decide: {} } } },
      'decider "book": decide has no handlers',
    ],
    [
      { deciders: { book: { ...bookDecider(), commands: ['Lend', 'Return'] } } },
      'decider "book" has a commands list; the keys of its decide map are its commands, so drop it',
    ],
    [
      {
        deciders: {
          account: decider(),
          book: { ...bookDecider(), decide: { Deposit: () => [] } },
        },
      },
      'command "Deposit" is handled by both "account" and "book"',
    ],
    [
      {
        deciders: {
          book: bookDecider(),
          shelf: { ...bookDecider(), category: 'shelf' },
        },
      },
      'command "Lend" is handled by both "book" and "shelf"',
    ],
    [
      { deciders: { book: { ...bookDecider(), evolve: undefined } } },
      'decider "book" has no evolve()',
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
