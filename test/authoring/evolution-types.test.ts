// Type-level checks of the events declaration and of what it types in the library: `npm test`
// runs `tsc --noEmit` over test/, so each `@ts-expect-error` must meet a compile error. The
// runtime part runs given() on the same domain.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { executeCommand } from '../../src/app/exec.js';
import { defineDecider, defineDomain, type Domain } from '../../src/core/domain.js';
import type { CommandTypeOf, EventTypeOf } from '../../src/core/domain-types.js';
import type { JsonObject, RecordedEvent } from '../../src/core/events.js';
import type { EventStore } from '../../src/core/ports.js';
import { given } from '../../src/testing.js';
import { numbersSchema } from '../helpers/standard-schema.js';

type AccountCommand =
  | { type: 'Deposit'; data: { accountId: string; amount: number } }
  | { type: 'Close'; data: { accountId: string } };
type AccountEvent =
  | { type: 'MoneyDeposited'; data: { amount: number; currency: string } }
  | { type: 'AccountClosed'; data: { accountId: string } };

const account = defineDecider<{ total: number }, AccountCommand, AccountEvent>({
  category: 'account',
  streamId: (command) => command.data.accountId,
  initialState: () => ({ total: 0 }),
  evolve: (state, event) =>
    event.type === 'MoneyDeposited' ? { total: state.total + event.data.amount } : state,
  decide: {
    Deposit: (command) => [
      { type: 'MoneyDeposited', data: { amount: command.data.amount, currency: 'EUR' } },
    ],
    Close: (command) => [{ type: 'AccountClosed', data: { accountId: command.data.accountId } }],
  },
});

const bank = defineDomain({
  deciders: { account },
  commands: { Deposit: { schema: numbersSchema('amount') } },
  events: {
    MoneyDeposited: {
      version: 2,
      upcast: {
        1: (data, event) => {
          expectTypeOf(data).toEqualTypeOf<JsonObject>();
          expectTypeOf(event).toEqualTypeOf<RecordedEvent>();
          return { ...data, currency: 'EUR' };
        },
      },
    },
    AccountClosed: {},
    Deposited: { renamedTo: 'MoneyDeposited' },
  },
});

const undeclared = defineDomain({ deciders: { account } });
void undeclared;

// Never called: these lines are here for the compiler.
function typesOnly(store: EventStore, loose: Domain) {
  expectTypeOf<CommandTypeOf<typeof bank>>().toEqualTypeOf<'Deposit' | 'Close'>();
  expectTypeOf<EventTypeOf<typeof bank>>().toEqualTypeOf<
    'MoneyDeposited' | 'AccountClosed' | 'Deposited'
  >();
  // Without a declaration, the event types come from what evolve() takes.
  expectTypeOf<EventTypeOf<typeof undeclared>>().toEqualTypeOf<
    'MoneyDeposited' | 'AccountClosed'
  >();
  // An untyped domain takes any name, as before.
  expectTypeOf<CommandTypeOf<Domain>>().toEqualTypeOf<string>();
  expectTypeOf<EventTypeOf<Domain>>().toEqualTypeOf<string>();

  void executeCommand({ store, domain: bank }, { type: 'Deposit', data: { amount: 1 } });
  // @ts-expect-error: no command Depositt
  void executeCommand({ store, domain: bank }, { type: 'Depositt', data: {} });
  void executeCommand({ store, domain: loose }, { type: 'Anything', data: {} });

  // @ts-expect-error: no event type MoneyDepositd
  given(bank, [{ type: 'MoneyDepositd', data: {} }]);
  // @ts-expect-error: no command Withdraw
  given(bank).when({ type: 'Withdraw', data: {} });
  given(bank)
    .when({ type: 'Close', data: { accountId: 'a1' } })
    // @ts-expect-error: no event type AccountClosd
    .thenEvents([{ type: 'AccountClosd' }]);
  given(loose, [{ type: 'Whatever', data: {} }]).when({ type: 'Anything', data: {} });
}
void typesOnly;

describe('a typed domain with declared events', () => {
  it('reads old given events as today, and decides after them', () => {
    const history = given(bank, [
      { type: 'Deposited', data: { amount: 5 } },
      { type: 'MoneyDeposited', schemaVersion: 2, data: { amount: 7, currency: 'CHF' } },
    ]);
    history.thenReadAs([
      { type: 'MoneyDeposited', data: { amount: 5, currency: 'EUR' } },
      { type: 'MoneyDeposited', data: { currency: 'CHF' } },
    ]);
    expect(() =>
      history.thenReadAs([{ type: 'MoneyDeposited', data: { currency: 'USD' } }]),
    ).toThrow(
      'given 2 events, read as: expected 1 event (MoneyDeposited), got 2 events (MoneyDeposited, MoneyDeposited)',
    );
    history
      .when({ type: 'Deposit', data: { accountId: 'a1', amount: 1 } })
      .thenEvents([{ type: 'MoneyDeposited', data: { currency: 'EUR' } }]);
    given(bank)
      .when({ type: 'Deposit', data: { accountId: 'a1', amount: 'one' } })
      .thenInvalid('amount: expected a number');
  });
});
