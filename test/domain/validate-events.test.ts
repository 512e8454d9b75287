import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { validateDomain } from '../../src/domain/validate.js';
import { numbersSchema } from '../helpers/standard-schema.js';

// A domain's `commands` and `events` declarations, checked when the module loads: each bad
// entry is refused with one line naming it.

const account = () => ({
  category: 'account',
  streamId: () => 'a1',
  initialState: () => ({}),
  evolve: (state: unknown) => state,
  decide: { Deposit: () => [], Withdraw: () => [] },
});

const problemWith = (declarations: Record<string, unknown>): string => {
  try {
    validateDomain({ deciders: { account: account() }, ...declarations }, 'domain.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('the domain was accepted');
};

describe('commands and events declarations', () => {
  it('accepts schemas, versions, upcasters and old names', () => {
    const domain = {
      deciders: { account: account() },
      commands: { Deposit: { schema: numbersSchema('amount') }, Withdraw: {} },
      events: {
        MoneyDeposited: {
          schema: numbersSchema('amount'),
          version: 3,
          upcast: { 1: (data: object) => data, 2: (data: object) => data },
        },
        Credited: { renamedTo: 'MoneyDeposited' },
        Deposited: { renamedTo: 'Credited' },
        MoneyWithdrawn: {},
      },
    };
    expect(validateDomain(domain, 'domain.ts')).toBe(domain);
  });

  it.each([
    [
      { commands: [] },
      'domain.ts: commands must be an object of { CommandType: { schema } }, got an array',
    ],
    [
      { commands: { Depositt: {} } },
      'domain.ts: commands.Depositt: no decider handles this command (the domain handles Deposit, Withdraw)',
    ],
    [
      { commands: { Deposit: { shema: numbersSchema() } } },
      `domain.ts: commands.Deposit: unknown key "shema" (a command's entry may have schema)`,
    ],
    [
      { commands: { Deposit: { schema: { parse: () => 1 } } } },
      'domain.ts: commands.Deposit.schema must be a Standard Schema (zod, valibot, arktype…: an object with "~standard" version 1), got an object',
    ],
    [
      { events: 'all' },
      'domain.ts: events must be an object of { EventType: { schema?, version?, upcast? } }, got string "all"',
    ],
    [
      { events: { 'Money\nDeposited': {} } },
      'domain.ts: events: event type name "Money\\nDeposited" contains a control character',
    ],
    [{ events: { T: null } }, 'domain.ts: events.T must be an object, got null'],
    [
      { events: { T: { verison: 2 } } },
      `domain.ts: events.T: unknown key "verison" (an event type's entry may have schema, version, upcast, renamedTo, personalData)`,
    ],
    [
      { events: { T: { version: 0 } } },
      'domain.ts: events.T.version must be a positive integer, got number 0',
    ],
    [
      { events: { T: { version: 1.5 } } },
      'domain.ts: events.T.version must be a positive integer, got number 1.5',
    ],
    [
      { events: { T: { schema: 'text' } } },
      'domain.ts: events.T.schema must be a Standard Schema (zod, valibot, arktype…: an object with "~standard" version 1), got string "text"',
    ],
    [
      { events: { T: { version: 2, upcast: [] } } },
      'domain.ts: events.T.upcast must be an object of { version: (data) => data }, got an array',
    ],
    [
      { events: { T: { version: 2, upcast: { 2: (data: object) => data } } } },
      'domain.ts: events.T.upcast[2]: upcast[N] reads version N as N + 1, so with version 2 N is 1 to 1',
    ],
    [
      { events: { T: { upcast: { 1: (data: object) => data } } } },
      'domain.ts: events.T.upcast[1]: upcast[N] reads version N as N + 1, so with version 1 N is none (version is 1)',
    ],
    [
      { events: { T: { version: 2, upcast: { 1: 'add a field' } } } },
      'domain.ts: events.T.upcast[1] must be a function, got string "add a field"',
    ],
    [
      { events: { T: { version: 2, upcast: { 1: async (data: object) => data } } } },
      'domain.ts: events.T.upcast[1] is async: upcasters must be synchronous (data in, data out)',
    ],
    [
      { events: { Old: { renamedTo: 'MoneyDepositd' }, MoneyDeposited: {} } },
      'domain.ts: events.Old.renamedTo names "MoneyDepositd", which events does not declare',
    ],
    [
      { events: { Old: { renamedTo: 3 } } },
      'domain.ts: events.Old.renamedTo must name an event type, got number 3',
    ],
    [
      { events: { Old: { renamedTo: 'T', version: 2 }, T: {} } },
      'domain.ts: events.Old: an old name has only renamedTo; its events read as "T", whose version applies to them',
    ],
    [
      { events: { A: { renamedTo: 'B' }, B: { renamedTo: 'C' }, C: { renamedTo: 'B' } } },
      'domain.ts: events: renamedTo goes round in a loop: A → B → C → B',
    ],
  ])('refuses %j', (declarations, message) => {
    expect(problemWith(declarations)).toBe(message);
  });
});
