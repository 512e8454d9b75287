import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test material for the projection tests: a bank-like log, and a domain module (plain .mjs, so
 * it loads with no build step) whose projection is deliberately NOT idempotent: it adds each
 * deposit to a running balance and logs every applied position. An event applied twice, or
 * skipped, shows up as a wrong balance or a wrong `applied` count.
 */

export interface DomainOptions {
  version?: number;
  /** A handler throws on the deposit with this amount. */
  failOnAmount?: number;
  /** Balances are multiplied by this (a v2 that gives visibly different rows). */
  factor?: number;
  /** Adds a view over the summary table. */
  withView?: boolean;
  /** Each deposit handler busy-waits this long: makes a rebuild last long enough to watch. */
  slowMs?: number;
}

export function domainSource(options: DomainOptions = {}): string {
  const factor = options.factor ?? 1;
  const fail =
    options.failOnAmount === undefined
      ? ''
      : `if (e.data.amount === ${options.failOnAmount}) throw new Error('cannot project amount ${options.failOnAmount}');`;
  const views = options.withView
    ? `views: ['CREATE VIEW rich_accounts AS SELECT account_id, balance FROM account_summary WHERE balance >= 1000'],`
    : '';
  const slow = options.slowMs
    ? `const until = performance.now() + ${options.slowMs}; while (performance.now() < until);`
    : '';
  return `
const account = {
  category: 'account',
  streamId: (command) => String(command.data.accountId),
  initialState: () => ({}),
  evolve: (state) => state,
  decide: { Deposit: () => [] },
};

const accountSummary = {
  name: 'account_summary',
  version: ${options.version ?? 1},
  setup: [
    'CREATE TABLE account_summary (account_id TEXT PRIMARY KEY, owner TEXT, balance INTEGER NOT NULL DEFAULT 0, deposits INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE applied (position INTEGER NOT NULL, stream TEXT NOT NULL)',
  ],
  ${views}
  on: {
    AccountOpened: (e) => [
      { sql: 'INSERT INTO account_summary (account_id, owner) VALUES (?, ?)', params: [e.data.accountId, e.data.owner] },
      { sql: 'INSERT INTO applied (position, stream) VALUES (?, ?)', params: [e.position, e.stream] },
    ],
    MoneyDeposited: (e) => {
      ${fail}
      ${slow}
      return [
        {
          sql: 'UPDATE account_summary SET balance = balance + :amount * ${factor}, deposits = deposits + 1 WHERE account_id = :id',
          params: { amount: e.data.amount, id: e.data.accountId },
        },
        { sql: 'INSERT INTO applied (position, stream) VALUES (?, ?)', params: [e.position, e.stream] },
      ];
    },
  },
};

export default { deciders: { account }, projections: [accountSummary] };
`;
}

export function writeDomain(dir: string, options: DomainOptions = {}): string {
  const path = join(dir, 'domain.mjs');
  writeFileSync(path, domainSource(options));
  return path;
}

/**
 * NDJSON for `eventlite import`: `accounts` accounts opened, then deposits round-robin, `count`
 * events in all. Deposit amounts cycle 1..97 so a failing amount can be aimed at.
 */
export function bankLog(count: number, accounts = 50): string {
  const versions = new Map<string, number>();
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const accountId = `a${index % accounts}`;
    const stream = `account-${accountId}`;
    const version = (versions.get(stream) ?? 0) + 1;
    versions.set(stream, version);
    const opened = version === 1;
    lines.push(
      JSON.stringify({
        stream,
        type: opened ? 'AccountOpened' : 'MoneyDeposited',
        id: randomUUID(),
        data: opened
          ? { accountId, owner: `owner ${accountId}` }
          : { accountId, amount: (index % 97) + 1 },
        metadata: {},
        recordedAt: '2026-01-01T00:00:00.000Z',
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}
