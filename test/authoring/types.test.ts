// Type-level checks of the authoring API. `npm test` runs `tsc --noEmit` over test/, so every
// `@ts-expect-error` below must meet a compile error (an unneeded one is an error itself), and
// the expectTypeOf lines must hold. The runtime part checks that the helpers stay identities.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Command, Decider } from '../../src/core/decider.js';
import { defineDecider, defineDomain, defineProjection } from '../../src/core/domain.js';
import type { RecordedEvent } from '../../src/core/events.js';
import { statementsFor, type Projection } from '../../src/core/projection.js';

type AccountCommand =
  | { type: 'Deposit'; data: { accountId: string; amount: number } }
  | { type: 'Close'; data: { accountId: string } };
type AccountEvent =
  | { type: 'MoneyDeposited'; data: { accountId: string; amount: number; balance: number } }
  | { type: 'AccountClosed'; data: { accountId: string } };

const account = defineDecider<{ balance: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ balance: 0 }),
  evolve: (state, event) =>
    event.type === 'MoneyDeposited' ? { balance: event.data.balance } : state,
  decide: {
    Deposit: (command, state) => {
      expectTypeOf(command).toEqualTypeOf<{
        type: 'Deposit';
        data: { accountId: string; amount: number };
      }>();
      expectTypeOf(state).toEqualTypeOf<{ balance: number }>();
      const { accountId, amount } = command.data;
      return [{ type: 'MoneyDeposited', data: { accountId, amount, balance: state.balance } }];
    },
    Close: (command) => {
      expectTypeOf(command.data).toEqualTypeOf<{ accountId: string }>();
      return [{ type: 'AccountClosed', data: { accountId: command.data.accountId } }];
    },
  },
});

const summary = defineProjection<AccountEvent>({
  name: 'summary',
  version: 1,
  setup: ['CREATE TABLE summary (account_id TEXT PRIMARY KEY, balance REAL)'],
  on: {
    MoneyDeposited: (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'MoneyDeposited'>();
      expectTypeOf(event.data).toEqualTypeOf<{
        accountId: string;
        amount: number;
        balance: number;
      }>();
      expectTypeOf(event.recordedAt).toEqualTypeOf<string>();
      return {
        sql: 'INSERT OR REPLACE INTO summary VALUES (:id, :balance)',
        params: { id: event.data.accountId, balance: event.data.balance },
      };
    },
  },
});

// Typed and untyped deciders and both kinds of projection go into one domain.
const domain = defineDomain({
  deciders: {
    account,
    ping: defineDecider<null, Command<'Ping'>, never>({
      category: 'ping',
      streamId: () => 'p1',
      initialState: () => null,
      evolve: (state) => state,
      decide: { Ping: () => [] },
    }),
  },
  projections: [
    summary,
    // No type argument: any event type, untyped data, as before.
    defineProjection({
      name: 'untyped',
      version: 1,
      setup: [],
      on: { Anything: (event) => ({ sql: 'SELECT ?', params: [event.data.whatever.deep] }) },
    }),
  ],
});

describe('the authoring types', () => {
  it('type a decider by its state, commands and events, and keep projections plain data', () => {
    expectTypeOf(account).toEqualTypeOf<
      Decider<{ balance: number }, AccountCommand, AccountEvent>
    >();
    expectTypeOf(summary).toEqualTypeOf<Projection>();
    const event: RecordedEvent = {
      position: 1,
      stream: 'account-a1',
      version: 1,
      type: 'MoneyDeposited',
      id: 'e1',
      data: { accountId: 'a1', amount: 5, balance: 5 },
      metadata: {},
      recordedAt: '2026-01-01T00:00:00.000Z',
    };
    expect(statementsFor(summary, event)).toEqual([
      {
        sql: 'INSERT OR REPLACE INTO summary VALUES (:id, :balance)',
        params: { id: 'a1', balance: 5 },
      },
    ]);
    expect(statementsFor(summary, { ...event, type: 'AccountClosed' })).toEqual([]);
    expect(domain.deciders.account).toBe(account);
  });
});

// What must not compile.

defineProjection<AccountEvent>({
  name: 'typo',
  version: 1,
  setup: [],
  on: {
    // @ts-expect-error: no event type MoneyDepositd
    MoneyDepositd: () => undefined,
  },
});

defineProjection<AccountEvent>({
  name: 'typo',
  version: 1,
  setup: [],
  on: {
    MoneyDeposited: (event) => ({
      sql: 'SELECT :amount',
      // @ts-expect-error: MoneyDeposited's data has no field ammount
      params: { amount: event.data.ammount },
    }),
    // @ts-expect-error: AccountClosed's data has no balance
    AccountClosed: (event) => ({ sql: 'SELECT ?', params: [event.data.balance] }),
  },
});

defineDecider<{ balance: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ balance: 0 }),
  evolve: (state) => state,
  decide: {
    // @ts-expect-error: the Close command has no amount
    Close: (command) => [{ type: 'AccountClosed', data: { accountId: command.data.amount } }],
    Deposit: () => [],
  },
});

defineDecider<{ balance: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ balance: 0 }),
  evolve: (state) => state,
  decide: {
    Deposit: () => [],
    Close: () => [],
    // @ts-expect-error: no command Withdraw
    Withdraw: () => [],
  },
});

defineDecider<{ balance: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ balance: 0 }),
  evolve: (state) => state,
  // @ts-expect-error: a command without a handler (Close is missing)
  decide: { Deposit: () => [] },
});

defineDecider<{ balance: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ balance: 0 }),
  evolve: (state) => state,
  decide: {
    // @ts-expect-error: a handler must return the decider's events
    Deposit: () => [{ type: 'MoneyWithdrawn', data: {} }],
    Close: () => [],
  },
});
