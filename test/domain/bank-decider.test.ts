import { beforeAll, describe, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { given } from '../../src/testing.js';
import { loadExample } from '../helpers/examples.js';

// The bank example's decider, through eventlite/testing as a user's own tests run it: an
// expected event's data is matched as a subset, so each lists the whole of it.

let bank: Domain;
beforeAll(async () => {
  bank = await loadExample('bank');
});

const opened = { type: 'AccountOpened', data: { accountId: 'a1', owner: 'Ada' } };
const deposited = (amount: number, balance: number) => ({
  type: 'MoneyDeposited',
  data: { accountId: 'a1', amount, balance },
});
const command = (type: string, data: Record<string, unknown>) => ({ type, data });
const deposit = (amount: unknown) => command('Deposit', { accountId: 'a1', amount });
const withdraw = (amount: number) => command('Withdraw', { accountId: 'a1', amount });

describe('bank: OpenAccount', () => {
  it('given nothing, opens the account', () => {
    given(bank)
      .when(command('OpenAccount', { accountId: 'a1', owner: 'Ada' }))
      .thenEvents([opened]);
  });

  it('given an open account, refuses a second open', () => {
    const openAgain = given(bank, [opened]).when(
      command('OpenAccount', { accountId: 'a1', owner: 'Bob' }),
    );
    openAgain.thenRejected('AccountAlreadyOpen');
    openAgain.thenRejected('AccountAlreadyOpen: account a1 is already open');
  });

  it('refuses an owner that is missing as malformed data', () => {
    given(bank)
      .when(command('OpenAccount', { accountId: 'a1' }))
      .thenInvalid();
  });
});

describe('bank: Deposit', () => {
  it('given an open account with 100, a deposit of 50 leaves a balance of 150', () => {
    given(bank, [opened, deposited(100, 100)])
      .when(deposit(50))
      .thenEvents([deposited(50, 150)]);
  });

  it('keeps balances in whole cents (0.1 + 0.2 is 0.3)', () => {
    given(bank, [opened, deposited(0.1, 0.1)])
      .when(deposit(0.2))
      .thenEvents([deposited(0.2, 0.3)]);
  });

  it('given no account, refuses the deposit', () => {
    given(bank).when(deposit(5)).thenRejected('AccountNotOpen');
  });

  it.each([0, -5, 0.001])('refuses the amount %s', (amount) => {
    given(bank, [opened]).when(deposit(amount)).thenRejected('InvalidAmount');
  });

  it('treats an amount that is not a number as malformed data, not a rejection', () => {
    given(bank, [opened]).when(deposit('5')).thenInvalid('Deposit: "amount" must be a number');
  });

  it('looks only at its own account', () => {
    const other = [
      { stream: 'account-b2', type: 'AccountOpened', data: { accountId: 'b2', owner: 'Bob' } },
      { stream: 'account-b2', ...deposited(100, 100) },
    ];
    given(bank, other).when(deposit(5)).thenRejected('AccountNotOpen');
  });
});

describe('bank: Withdraw', () => {
  it('given 100, a withdrawal of 100 leaves 0', () => {
    given(bank, [opened, deposited(100, 100)])
      .when(withdraw(100))
      .thenEvents([{ type: 'MoneyWithdrawn', data: { accountId: 'a1', amount: 100, balance: 0 } }]);
  });

  it('given 100, refuses 100.01 with InsufficientFunds', () => {
    const tooMuch = given(bank, [opened, deposited(100, 100)]).when(withdraw(100.01));
    tooMuch.thenRejected('InsufficientFunds');
    tooMuch.thenRejected('InsufficientFunds: account a1 holds 100, cannot withdraw 100.01');
  });

  it('folds withdrawals into the balance', () => {
    const history = [
      opened,
      deposited(100, 100),
      { type: 'MoneyWithdrawn', data: { accountId: 'a1', amount: 70, balance: 30 } },
    ];
    given(bank, history).when(withdraw(31)).thenRejected('InsufficientFunds');
  });

  it('given no account, refuses the withdrawal', () => {
    given(bank).when(withdraw(1)).thenRejected('AccountNotOpen');
  });
});
