import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A small bank for the lifecycle tests (plain .mjs: no build step). AccountOpened declares its
// owner and address as the account holder's personal data; accounts snapshot every 2 events,
// so a snapshot holds the owner in plaintext. Two projections: `accounts` (owner and balance
// by account), rebuilt after a lifecycle command, and `stream_events` (events per stream),
// which handles the audit events itself and deletes a deleted stream's row.

export const LIFECYCLE_DOMAIN = `
const account = {
  category: 'account',
  streamId: (command) => String(command.data.accountId),
  initialState: () => ({ open: false, owner: null, balance: 0 }),
  evolve(state, event) {
    if (event.type === 'AccountOpened') return { ...state, open: true, owner: event.data.owner };
    if (event.type === 'MoneyDeposited') return { ...state, balance: state.balance + event.data.amount };
    return state;
  },
  decide: {
    OpenAccount: (command) => [{ type: 'AccountOpened', data: command.data }],
    Deposit: (command) => [{ type: 'MoneyDeposited', data: command.data }],
  },
  snapshot: { every: 2 },
};

const accounts = {
  name: 'accounts',
  version: 1,
  setup: ['CREATE TABLE accounts (account_id TEXT PRIMARY KEY, owner TEXT, balance INTEGER NOT NULL)'],
  on: {
    AccountOpened: (e) => ({
      sql: 'INSERT INTO accounts (account_id, owner, balance) VALUES (?, ?, 0) ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner',
      params: [e.data.accountId, e.data.owner],
    }),
    MoneyDeposited: (e) => ({
      sql: 'UPDATE accounts SET balance = balance + ? WHERE account_id = ?',
      params: [e.data.amount, e.data.accountId],
    }),
  },
};

const counted = (e) => ({
  sql: 'INSERT INTO stream_events (stream, events) VALUES (?, 1) ON CONFLICT (stream) DO UPDATE SET events = stream_events.events + 1',
  params: [e.stream],
});

const streamEvents = {
  name: 'stream_events',
  version: 1,
  setup: ['CREATE TABLE stream_events (stream TEXT PRIMARY KEY, events INTEGER NOT NULL)'],
  on: { AccountOpened: counted, MoneyDeposited: counted },
  onLifecycle: (e) =>
    e.type === 'StreamDeleted'
      ? { sql: 'DELETE FROM stream_events WHERE stream = ?', params: [e.data.stream] }
      : undefined,
};

export default {
  deciders: { account },
  events: {
    AccountOpened: { personalData: { subject: 'accountId', fields: ['owner', 'address'] } },
    MoneyDeposited: {},
  },
  projections: [accounts, streamEvents],
};
`;

export function writeLifecycleDomain(dir: string): string {
  const path = join(dir, 'domain.mjs');
  writeFileSync(path, LIFECYCLE_DOMAIN);
  return path;
}
