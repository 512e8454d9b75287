import { beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { DomainRejection, InputError } from '../../src/core/errors.js';
import { given, loadExample } from './given-when-then.js';

let bank: Domain;
beforeAll(async () => {
  bank = await loadExample('bank');
});

const opened = { type: 'AccountOpened', data: { accountId: 'a1', owner: 'Ada' } };
const deposited = (amount: number, balance: number) => ({
  type: 'MoneyDeposited',
  data: { accountId: 'a1', amount, balance },
});

describe('bank: OpenAccount', () => {
  it('given nothing, opens the account', () => {
    expect(given(bank, []).when('OpenAccount', { accountId: 'a1', owner: 'Ada' })).toEqual([
      { type: 'AccountOpened', data: { accountId: 'a1', owner: 'Ada' } },
    ]);
  });

  it('given an open account, refuses a second open', () => {
    expect(() =>
      given(bank, [opened]).when('OpenAccount', { accountId: 'a1', owner: 'Bob' }),
    ).toThrow(
      new DomainRejection('AccountAlreadyOpen: account a1 is already open', 'AccountAlreadyOpen'),
    );
  });

  it('refuses an owner that is missing as malformed data', () => {
    expect(() => given(bank, []).when('OpenAccount', { accountId: 'a1' })).toThrow(InputError);
  });
});

describe('bank: Deposit', () => {
  it('given an open account with 100, a deposit of 50 leaves a balance of 150', () => {
    expect(
      given(bank, [opened, deposited(100, 100)]).when('Deposit', { accountId: 'a1', amount: 50 }),
    ).toEqual([{ type: 'MoneyDeposited', data: { accountId: 'a1', amount: 50, balance: 150 } }]);
  });

  it('keeps balances in whole cents (0.1 + 0.2 is 0.3)', () => {
    const [event] = given(bank, [opened, deposited(0.1, 0.1)]).when('Deposit', {
      accountId: 'a1',
      amount: 0.2,
    });
    expect(event?.data.balance).toBe(0.3);
  });

  it('given no account, refuses the deposit', () => {
    expect(() => given(bank, []).when('Deposit', { accountId: 'a1', amount: 5 })).toThrow(
      /AccountNotOpen/,
    );
  });

  it.each([0, -5, 0.001])('refuses the amount %s', (amount) => {
    expect(() => given(bank, [opened]).when('Deposit', { accountId: 'a1', amount })).toThrow(
      /InvalidAmount/,
    );
  });

  it('treats an amount that is not a number as malformed data, not a rejection', () => {
    const deposit = () => given(bank, [opened]).when('Deposit', { accountId: 'a1', amount: '5' });
    expect(deposit).toThrow(InputError);
    expect(deposit).toThrow('Deposit: "amount" must be a number');
  });

  it('looks only at its own account', () => {
    const other = [
      { stream: 'account-b2', type: 'AccountOpened', data: { accountId: 'b2', owner: 'Bob' } },
      { stream: 'account-b2', ...deposited(100, 100) },
    ];
    expect(() => given(bank, other).when('Deposit', { accountId: 'a1', amount: 5 })).toThrow(
      /AccountNotOpen/,
    );
  });
});

describe('bank: Withdraw', () => {
  it('given 100, a withdrawal of 100 leaves 0', () => {
    expect(
      given(bank, [opened, deposited(100, 100)]).when('Withdraw', { accountId: 'a1', amount: 100 }),
    ).toEqual([{ type: 'MoneyWithdrawn', data: { accountId: 'a1', amount: 100, balance: 0 } }]);
  });

  it('given 100, refuses 100.01 with InsufficientFunds', () => {
    const withdraw = () =>
      given(bank, [opened, deposited(100, 100)]).when('Withdraw', {
        accountId: 'a1',
        amount: 100.01,
      });
    expect(withdraw).toThrow(DomainRejection);
    expect(withdraw).toThrow('InsufficientFunds: account a1 holds 100, cannot withdraw 100.01');
  });

  it('folds withdrawals into the balance', () => {
    const history = [
      opened,
      deposited(100, 100),
      { type: 'MoneyWithdrawn', data: { accountId: 'a1', amount: 70, balance: 30 } },
    ];
    expect(() => given(bank, history).when('Withdraw', { accountId: 'a1', amount: 31 })).toThrow(
      /InsufficientFunds/,
    );
  });

  it('given no account, refuses the withdrawal', () => {
    expect(() => given(bank, []).when('Withdraw', { accountId: 'a1', amount: 1 })).toThrow(
      /AccountNotOpen/,
    );
  });
});
