import { beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { InputError } from '../../src/core/errors.js';
import { ExpectationError, given } from '../../src/testing.js';
import { loadExample } from '../helpers/examples.js';

let bank: Domain;
beforeAll(async () => {
  bank = await loadExample('bank');
});

const opened = { type: 'AccountOpened', data: { accountId: 'a1', owner: 'Ada' } };
const deposited = { type: 'MoneyDeposited', data: { accountId: 'a1', amount: 50, balance: 50 } };
const withdraw = (amount: number) => ({ type: 'Withdraw', data: { accountId: 'a1', amount } });

/** The message of the ExpectationError that `check` throws. */
function failure(check: () => void): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpectationError);
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  throw new Error('the expectation held');
}

describe('given/when/then for deciders', () => {
  it('passes when the decided events match, data as a subset', () => {
    given(bank, [opened, deposited])
      .when(withdraw(20))
      .thenEvents([{ type: 'MoneyWithdrawn', data: { balance: 30 } }]);
    given(bank, [opened]).when(withdraw(0.5)).thenRejected('InsufficientFunds');
    given(bank, [opened]).when(withdraw(0.5)).thenRejected('holds 0');
    given(bank).when(withdraw(1)).thenRejected();
    given(bank, [opened])
      .when({ type: 'Deposit', data: { accountId: 'a1' } })
      .thenInvalid();
  });

  it('says which event differs and how', () => {
    expect(
      failure(() =>
        given(bank, [opened, deposited])
          .when(withdraw(20))
          .thenEvents([{ type: 'MoneyWithdrawn', data: { balance: 25 } }]),
      ),
    ).toBe(
      'given 2 events, when Withdraw: event 1 (MoneyWithdrawn): data.balance: expected 25, got 30',
    );
  });

  it('says what the command did instead of the rejection expected', () => {
    expect(failure(() => given(bank, [opened, deposited]).when(withdraw(20)).thenRejected())).toBe(
      'given 2 events, when Withdraw: expected a rejection, got MoneyWithdrawn',
    );
    expect(
      failure(() => given(bank, [opened]).when(withdraw(80)).thenRejected('AccountNotOpen')),
    ).toBe(
      'given 1 event, when Withdraw: expected reason AccountNotOpen, but the command rejected: InsufficientFunds: account a1 holds 0, cannot withdraw 80',
    );
    expect(failure(() => given(bank).when(withdraw(1)).thenEvents([]))).toBe(
      'given no events, when Withdraw: expected no events, but the command rejected: AccountNotOpen: account a1 was never opened',
    );
  });

  it('fails on an unknown command rather than passing unseen', () => {
    expect(failure(() => given(bank).when({ type: 'Steal', data: {} }).thenRejected())).toMatch(
      /^given no events, when Steal: expected a rejection, but the command failed: unknown command "Steal"/,
    );
  });

  it('works on a domain built in code, with a handler-map decider, and checks it first', () => {
    const counter: Domain = {
      deciders: {
        counter: {
          category: 'counter',
          streamId: () => 'c1',
          initialState: () => 0,
          evolve: (total: number) => total + 1,
          decide: {
            Add: (_command: unknown, total: number) => [{ type: 'Added', data: { total } }],
          },
        },
      },
    };
    given(counter, [
      { type: 'Added', data: {} },
      { type: 'Added', data: {} },
    ])
      .when({ type: 'Add', data: {} })
      .thenEvents([{ type: 'Added', data: { total: 2 } }]);
    expect(() => given({ deciders: {} }, [])).toThrow(
      new InputError('given(domain): the domain has no deciders'),
    );
  });
});

describe('given/then rows for projections', () => {
  const inStream = (event: { type: string; data: Record<string, unknown> }) => ({
    ...event,
    stream: 'account-a1',
  });

  it('passes when the projections make the query return the rows', async () => {
    await given(bank, [inStream(opened), inStream(deposited)]).thenRows(
      'SELECT account_id, owner, balance FROM account_summary',
      [{ account_id: 'a1', owner: 'Ada', balance: 50 }],
    );
    await given(bank, [inStream(opened)]).thenRows(
      { query: 'SELECT owner FROM account_summary WHERE account_id = :id', params: { id: 'a1' } },
      [{ owner: 'Ada' }],
    );
  });

  it('throws an ExpectationError naming the query and the difference', async () => {
    const check = given(bank, [inStream(opened)]).thenRows('SELECT balance FROM account_summary', [
      { balance: 10 },
    ]);
    await expect(check).rejects.toBeInstanceOf(ExpectationError);
    await expect(check).rejects.toThrow(
      /^given 1 event, then SELECT balance FROM account_summary: row 1: balance: expected 10, got 0/,
    );
  });
});
