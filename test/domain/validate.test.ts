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

const handlerMapDecider = () => ({
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

  it('returns a domain with a handler-map decider in the list form, its keys as commands', () => {
    const book = handlerMapDecider();
    const domain = { deciders: { account: decider(), book }, projections: [] };
    const loaded = validateDomain(domain, 'eventlite.config.ts');
    expect(loaded.deciders.account).toBe(domain.deciders.account);
    expect(loaded.projections).toBe(domain.projections);
    expect(loaded.deciders.book?.commands).toEqual(['Lend', 'Return']);
    expect(loaded.deciders.book?.category).toBe('book');
    // The original object is left as the module wrote it.
    expect(domain.deciders.book).toBe(book);
    expect(typeof book.decide).toBe('object');
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
    [
      {
        deciders: {
          book: { ...decider(), category: 'book', commands: ['Lend', 'Return', 'Lend'] },
        },
      },
      'command "Lend" is listed twice in decider "book"',
    ],
    [
      { deciders: { book: { ...handlerMapDecider(), decide: { Lend: () => [], Return: 42 } } } },
      'decider "book": decide.Return must be a function, got number 42',
    ],
    [
      { deciders: { book: { ...handlerMapDecider(), decide: {} } } },
      'decider "book": decide has no handlers',
    ],
    [
      { deciders: { book: { ...handlerMapDecider(), commands: ['Lend', 'Return'] } } },
      'decider "book" has both a commands list and a map of decide handlers',
    ],
    [
      {
        deciders: {
          account: decider(),
          book: { ...handlerMapDecider(), decide: { Deposit: () => [] } },
        },
      },
      'command "Deposit" is handled by both "account" and "book"',
    ],
    [
      {
        deciders: {
          book: handlerMapDecider(),
          shelf: { ...handlerMapDecider(), category: 'shelf' },
        },
      },
      'command "Lend" is handled by both "book" and "shelf"',
    ],
    [
      { deciders: { book: { ...handlerMapDecider(), evolve: undefined } } },
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
