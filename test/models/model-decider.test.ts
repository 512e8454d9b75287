import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { ConcurrencyError, DomainRejection, InputError } from '../../src/core/errors.js';
import { executeCommand, type ExecStep } from '../../src/app/exec.js';
import { streamState } from '../../src/app/state.js';
import { loadDomain } from '../../src/app/load-domain.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.js';
import { appendToStream } from '../../src/store/sqlite/append.js';
import { ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import {
  CLI_LIMITS,
  CLI_TEST_TIMEOUT_MS,
  fcOptions,
  maxSteps,
  TEST_TIMEOUT_MS,
} from './model-helpers.js';

// The decider loop (`exec`) on the bank example against a model written from the bank's rules:
// balances kept in integer cents (so the model's arithmetic is exact), every outcome
// predicted (events appended, rejection with its reason, or bad data), and other writers
// slipping events in between the loop's read and its append, so that the retry has to read and
// decide again. After every command the log and each account's folded state equal the model.

const BANK = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');
const ACCOUNTS = ['a1', 'a2', 'a3'];
const MAX_ATTEMPTS = 3;

interface Account {
  open: boolean;
  owner: string | null;
  cents: number;
}

type ModelEvent = { stream: string; type: string; data: Record<string, unknown> };

type Decision =
  | { kind: 'events'; events: { type: string; data: Record<string, unknown> }[] }
  | { kind: 'rejected'; reason: string }
  | { kind: 'invalid' };

/** A bank command as generated: `data` may be missing fields or hold the wrong kinds. */
interface BankCommand {
  type: 'OpenAccount' | 'Deposit' | 'Withdraw';
  data: Record<string, unknown>;
  /** Other writers' events slipped in after the loop reads the stream (one per attempt). */
  rivals: number;
  dryRun: boolean;
}

class BankModel {
  readonly log: ModelEvent[] = [];
  private readonly accounts = new Map<string, Account>();

  account(id: string): Account {
    return this.accounts.get(id) ?? { open: false, owner: null, cents: 0 };
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  apply(accountId: string, event: { type: string; data: Record<string, unknown> }) {
    const account = this.account(accountId);
    if (event.type === 'AccountOpened') {
      this.accounts.set(accountId, { ...account, open: true, owner: event.data.owner as string });
    } else {
      this.accounts.set(accountId, {
        ...account,
        cents: Math.round((event.data.balance as number) * 100),
      });
    }
    this.log.push({ stream: `account-${accountId}`, ...event });
  }

  /** The rules of the bank example, decided on `account` as it was read. */
  decide(command: BankCommand, account: Account): Decision {
    const accountId = command.data.accountId as string;
    if (command.type === 'OpenAccount') {
      const owner = command.data.owner;
      if (!isText(owner)) return { kind: 'invalid' };
      if (account.open) return { kind: 'rejected', reason: 'AccountAlreadyOpen' };
      return { kind: 'events', events: [{ type: 'AccountOpened', data: { accountId, owner } }] };
    }
    const amount = command.data.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return { kind: 'invalid' };
    const cents = Math.round(amount * 100);
    if (amount <= 0 || cents / 100 !== amount) return { kind: 'rejected', reason: 'InvalidAmount' };
    if (!account.open) return { kind: 'rejected', reason: 'AccountNotOpen' };
    if (command.type === 'Withdraw' && cents > account.cents) {
      return { kind: 'rejected', reason: 'InsufficientFunds' };
    }
    const after = command.type === 'Deposit' ? account.cents + cents : account.cents - cents;
    const type = command.type === 'Deposit' ? 'MoneyDeposited' : 'MoneyWithdrawn';
    return {
      kind: 'events',
      events: [{ type, data: { accountId, amount, balance: after / 100 } }],
    };
  }

  /** Another writer's event: opens the account if it is not open, else deposits 1.00. */
  rivalEvent(accountId: string) {
    const account = this.account(accountId);
    return account.open
      ? {
          type: 'MoneyDeposited',
          data: { accountId, amount: 1, balance: (account.cents + 100) / 100 },
        }
      : { type: 'AccountOpened', data: { accountId, owner: 'Rival' } };
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** What the exec loop must do: its outcome, the attempts it takes, and the rivals' events. */
type Expected =
  | { kind: 'appended' | 'dry-run'; events: Decision & { kind: 'events' }; attempts: number }
  | { kind: 'rejected'; reason: string }
  | { kind: 'invalid' }
  | { kind: 'gave-up' };

/**
 * Runs the loop in the model: read (a snapshot), let a rival write if one is due, decide on the
 * snapshot, then append (conflicting when a rival wrote since the read). Returns the rivals'
 * events in order, for the real run to inject at the same moments.
 */
function predict(
  model: BankModel,
  command: BankCommand,
): { expected: Expected; rivals: ModelEvent[] } {
  const rivals: ModelEvent[] = [];
  if (!isText(command.data.accountId)) return { expected: { kind: 'invalid' }, rivals };
  const accountId = command.data.accountId;
  for (let attempt = 1; ; attempt += 1) {
    const read = model.account(accountId);
    const rival = rivals.length < command.rivals;
    if (rival) {
      const event = model.rivalEvent(accountId);
      model.apply(accountId, event);
      rivals.push(model.log.at(-1)!);
    }
    const decision = model.decide(command, read);
    if (decision.kind !== 'events') return { expected: decision, rivals };
    if (command.dryRun)
      return { expected: { kind: 'dry-run', events: decision, attempts: attempt }, rivals };
    if (rival) {
      if (attempt === MAX_ATTEMPTS) return { expected: { kind: 'gave-up' }, rivals };
      continue;
    }
    for (const event of decision.events) model.apply(accountId, event);
    return { expected: { kind: 'appended', events: decision, attempts: attempt }, rivals };
  }
}

// ---------------------------------------------------------------------------------------------
// Commands: amounts of every kind (whole cents, zero, negative, sub-cent, not numbers at all),
// deposits to accounts never opened, second opens, bad account ids and owners.

/** Mostly the given accounts; now and then an id that is no id at all. */
function accountIdArb(accounts: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...accounts), weight: 12 },
    { arbitrary: fc.constantFrom<unknown>('', '   ', 42, null, undefined), weight: 1 },
  );
}

const ownerArb = fc.oneof(
  { arbitrary: fc.constantFrom('Ada', 'Grace', 'Émilie du Châtelet'), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>('', ' ', 7, null, undefined), weight: 1 },
);

function amountArb(jsonOnly: boolean): fc.Arbitrary<unknown> {
  const notNumbers: unknown[] = ['10', null, true, [], {}, undefined];
  if (!jsonOnly) notNumbers.push(NaN, Infinity, -Infinity);
  return fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 60_000 }).map((cents) => cents / 100), weight: 10 },
    { arbitrary: fc.integer({ min: 1, max: 9 }).map((cents) => cents / 100), weight: 2 },
    { arbitrary: fc.constantFrom(0, -0), weight: 1 },
    { arbitrary: fc.integer({ min: -50_000, max: -1 }).map((cents) => cents / 100), weight: 1 },
    {
      arbitrary: fc
        .integer({ min: 1, max: 100_000 })
        .filter((mills) => mills % 10 !== 0)
        .map((mills) => mills / 1000),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...notNumbers), weight: 1 },
  );
}

function withFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function commandArb(options: {
  accounts: readonly string[];
  jsonOnly: boolean;
  rivals: boolean;
}): fc.Arbitrary<BankCommand> {
  const accountId = accountIdArb(options.accounts);
  const rivals = options.rivals
    ? fc.oneof(
        { arbitrary: fc.constant(0), weight: 4 },
        { arbitrary: fc.integer({ min: 1, max: MAX_ATTEMPTS }), weight: 1 },
      )
    : fc.constant(0);
  const dryRun = options.rivals ? fc.nat(7).map((n) => n === 0) : fc.constant(false);
  const open = fc
    .record({ accountId, owner: ownerArb })
    .map((data) => ({ type: 'OpenAccount' as const, data: withFields(data) }));
  const money = fc
    .record({
      type: fc.constantFrom('Deposit' as const, 'Withdraw' as const),
      accountId,
      amount: amountArb(options.jsonOnly),
    })
    .map(({ type, ...data }) => ({ type, data: withFields(data) }));
  return fc
    .tuple(
      fc.oneof({ arbitrary: open, weight: 1 }, { arbitrary: money, weight: 3 }),
      rivals,
      dryRun,
    )
    .map(([command, rivalCount, dry]) => ({ ...command, rivals: rivalCount, dryRun: dry }));
}

function describeCommand(command: BankCommand): string {
  const extras = [
    command.rivals > 0 ? `${command.rivals} rivals` : '',
    command.dryRun ? 'dry run' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${command.type} ${JSON.stringify(command.data)}${extras ? ` (${extras})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Checks

/** The log as the model sees it: stream, type and data of every event, in order. */
async function logOf(store: SqliteEventStore) {
  const log: { stream: string; type: string; data: unknown }[] = [];
  for await (const page of store.readLog()) {
    for (const event of page)
      log.push({ stream: event.stream, type: event.type, data: event.data });
  }
  return log;
}

async function checkAgainstModel(
  store: SqliteEventStore,
  bank: Domain,
  model: BankModel,
): Promise<void> {
  expect(await logOf(store)).toEqual(model.log);
  for (const accountId of model.accountIds()) {
    const account = model.account(accountId);
    const { state } = await streamState({ store, domain: bank }, `account-${accountId}`);
    expect(state).toEqual({
      open: account.open,
      owner: account.owner,
      balance: account.cents / 100,
    });
  }
  expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
}

let bank: Domain;
let folder: ReturnType<typeof tempDir>;

beforeAll(async () => {
  bank = await loadDomain(BANK);
  folder = tempDir('eventlite-model-decider-');
});
afterAll(() => folder.cleanup());

describe('exec on the bank example against a model balance (in process)', () => {
  let runs = 0;

  it(
    'every command appends, is rejected or is refused as the model says; states fold to the model',
    async () => {
      const sequences = fc.array(
        commandArb({ accounts: ACCOUNTS, jsonOnly: false, rivals: true }),
        {
          minLength: 1,
          maxLength: maxSteps(30, 80),
          size: 'max',
        },
      );
      await fc.assert(
        fc.asyncProperty(sequences, async (commands) => {
          runs += 1;
          const path = join(folder.dir, `bank-${runs}.db`);
          const store = openSqliteEventStore(path, { create: true });
          // Other writers: a connection of their own.
          const rival = openSqliteEventStore(path);
          try {
            const model = new BankModel();
            for (const [index, command] of commands.entries()) {
              await execAndCheck({ store, rival }, model, command, `corr-${index}`);
              await checkAgainstModel(store, bank, model);
            }
          } finally {
            await rival.close();
            await store.close();
          }
        }),
        fcOptions(100, 600),
      );
    },
    TEST_TIMEOUT_MS,
  );
});

async function execAndCheck(
  stores: { store: SqliteEventStore; rival: SqliteEventStore },
  model: BankModel,
  command: BankCommand,
  correlationId: string,
) {
  const { expected, rivals } = predict(model, command);
  const pending = [...rivals];
  // Another writer commits between the loop's read and its append (the `state` step comes
  // after the read and before the decision), one event per attempt while any are due.
  // `observe` is synchronous, so the rival's append must commit before it returns.
  const observe = (step: ExecStep) => {
    if (step.kind !== 'state') return;
    const rival = pending.shift();
    if (rival) {
      appendToStream(stores.rival.db, rival.stream, [{ type: rival.type, data: rival.data }]);
    }
  };
  let outcome: Awaited<ReturnType<typeof executeCommand>> | undefined;
  let error: unknown;
  try {
    outcome = await executeCommand(
      { store: stores.store, domain: bank },
      { type: command.type, data: command.data },
      {
        correlationId,
        maxAttempts: MAX_ATTEMPTS,
        dryRun: command.dryRun,
        observe,
        backoff: async () => {},
      },
    );
  } catch (caught) {
    error = caught;
  }
  const where = describeCommand(command);
  expect(pending, where).toEqual([]);
  switch (expected.kind) {
    case 'appended':
    case 'dry-run': {
      expect(error, where).toBeUndefined();
      const metadata = { command: command.type, correlationId };
      expect(outcome!.decided, where).toEqual(
        expected.events.events.map((event) => ({ ...event, metadata })),
      );
      expect(outcome!.attempts, where).toBe(expected.attempts);
      if (expected.kind === 'dry-run') {
        expect(outcome!.appended, where).toEqual([]);
        break;
      }
      const appended = outcome!.appended.map((event) => ({
        stream: event.stream,
        version: event.version,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      }));
      const accountEvents = model.log.filter((event) => event.stream === outcome!.stream);
      expect(appended, where).toEqual(
        expected.events.events.map((event, index) => ({
          stream: `account-${command.data.accountId as string}`,
          version: accountEvents.length - expected.events.events.length + index + 1,
          ...event,
          metadata,
        })),
      );
      break;
    }
    case 'rejected':
      expect(error, where).toBeInstanceOf(DomainRejection);
      expect((error as DomainRejection).reason, where).toBe(expected.reason);
      expect((error as Error).message, where).toMatch(new RegExp(`^${expected.reason}: `));
      break;
    case 'invalid':
      expect(error, where).toBeInstanceOf(InputError);
      expect((error as Error).message, where).toMatch(new RegExp(`^${command.type}: "`));
      break;
    case 'gave-up':
      expect(error, where).toBeInstanceOf(ConcurrencyError);
      expect((error as Error).message, where).toMatch(
        new RegExp(`^gave up after ${MAX_ATTEMPTS} attempts: version conflict`),
      );
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Through the built CLI: one short sequence (each `exec` starts a process and loads the domain)

describe('exec through the built CLI against the model', () => {
  it(
    'exit codes 0/2/4, printed events and final states agree with the model',
    async () => {
      // One account, opened first, so that money moves in a sequence this short.
      const opening: BankCommand = {
        type: 'OpenAccount',
        data: { accountId: 'a1', owner: 'Ada' },
        rivals: 0,
        dryRun: false,
      };
      const rest = fc.array(commandArb({ accounts: ['a1'], jsonOnly: true, rivals: false }), {
        minLength: 5,
        maxLength: maxSteps(6, 15),
      });
      const sequences = rest.map((more) => [opening, ...more]);
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(sequences, async (commands) => {
          runs += 1;
          const dir = join(folder.dir, `cli-${runs}`);
          mkdirSync(dir);
          const model = new BankModel();
          for (const command of commands) {
            const { expected } = predict(model, command);
            const result = await spawnCli(
              [
                '--db',
                'bank.db',
                '--domain',
                BANK,
                'exec',
                command.type,
                JSON.stringify(command.data),
                '--format',
                'ndjson',
              ],
              { cwd: dir },
            );
            const where = `${describeCommand(command)}: ${JSON.stringify(result)}`;
            const code = { appended: 0, 'dry-run': 0, invalid: 2, rejected: 4, 'gave-up': 3 }[
              expected.kind
            ];
            expect(result.code, where).toBe(code);
            if (expected.kind === 'appended') {
              const printed = result.stdout
                .trim()
                .split('\n')
                .map((line) => JSON.parse(line) as Record<string, unknown>);
              const stamped = { command: command.type, correlationId: expect.any(String) };
              expect(
                printed.map(({ type, data, metadata }) => ({ type, data, metadata })),
                where,
              ).toEqual(expected.events.events.map((event) => ({ ...event, metadata: stamped })));
            } else {
              expect(result.stdout, where).toBe('');
            }
            if (expected.kind === 'rejected')
              expect(result.stderr, where).toContain(`${expected.reason}: `);
          }
          const store = openSqliteEventStore(join(dir, 'bank.db'), { create: true });
          try {
            await checkAgainstModel(store, bank, model);
          } finally {
            await store.close();
          }
        }),
        { ...fcOptions(1, 10), ...CLI_LIMITS },
      );
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
