import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineDomain, type Domain } from '../../src/core/domain.js';
import {
  ConcurrencyError,
  DomainError,
  DomainRejection,
  InputError,
} from '../../src/core/errors.js';
import type { NewEvent, RecordedEvent } from '../../src/core/events.js';
import { executeCommand, type ExecStep } from '../../src/app/exec.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.js';
import { appendToStream } from '../../src/store/sqlite/append.js';
import { tempDir } from '../helpers/cli.js';
import { loadExample } from '../helpers/examples.js';

let bank: Domain;
let folder: ReturnType<typeof tempDir>;
let store: SqliteEventStore;
/** Another writer: a connection of its own, committing at once from inside `observe`. */
let other: SqliteEventStore;

beforeAll(async () => {
  bank = await loadExample('bank');
});
beforeEach(() => {
  folder = tempDir();
  store = openSqliteEventStore(join(folder.dir, 'store.db'), { create: true });
  other = openSqliteEventStore(join(folder.dir, 'store.db'));
});
afterEach(async () => {
  await other.close();
  await store.close();
  folder.cleanup();
});

const options = { correlationId: 'corr-1', backoff: async () => {} };
const exec = (type: string, data: Record<string, unknown>, extra: object = {}) =>
  executeCommand({ store, domain: bank }, { type, data }, { ...options, ...extra });

async function collect(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pages) events.push(...page);
  return events;
}
const eventsOf = (stream: string) => collect(store.readStream(stream));
const readLog = () => collect(store.readLog());
// `observe` is synchronous: the competing write must be committed before it returns.
const competingAppend = (events: NewEvent[]) => appendToStream(other.db, 'account-a1', events);
const competingDeposit = (balance: number) =>
  competingAppend([{ type: 'MoneyDeposited', data: { accountId: 'a1', amount: 1000, balance } }]);

describe('executeCommand', () => {
  it('appends the decided events with the command name and correlation id in metadata', async () => {
    await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' });
    const result = await exec('Deposit', { accountId: 'a1', amount: 100 });
    expect(result).toMatchObject({ stream: 'account-a1', versionRead: 1, attempts: 1 });
    expect(result.appended.map((event) => [event.version, event.type])).toEqual([
      [2, 'MoneyDeposited'],
    ]);
    expect(result.appended[0]!.metadata).toEqual({
      command: 'Deposit',
      correlationId: 'corr-1',
    });
  });

  it('on a conflict reads again and decides on the new state', async () => {
    await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' });
    await exec('Deposit', { accountId: 'a1', amount: 100 });
    let injected = false;
    const steps: string[] = [];
    // Another writer deposits 1000 between this command's read and its append.
    const observe = (step: ExecStep) => {
      steps.push(step.kind);
      if (step.kind === 'state' && !injected) {
        injected = true;
        competingDeposit(1100);
      }
    };
    const result = await exec('Deposit', { accountId: 'a1', amount: 5 }, { observe });
    expect(result.attempts).toBe(2);
    expect(result.versionRead).toBe(3);
    expect(steps).toEqual([
      ...['read', 'state', 'deciding', 'decided', 'conflict'],
      ...['read', 'state', 'deciding', 'decided', 'appended'],
    ]);
    const balances = (await eventsOf('account-a1')).map((event) => [
      event.version,
      event.data.balance,
    ]);
    expect(balances).toEqual([
      [1, undefined],
      [2, 100],
      [3, 1100],
      [4, 1105],
    ]);
  });

  it('re-checks the rules on a conflict: a withdrawal that fitted before a competing one is refused', async () => {
    await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' });
    await exec('Deposit', { accountId: 'a1', amount: 100 });
    let injected = false;
    const observe = (step: ExecStep) => {
      if (step.kind === 'decided' && !injected) {
        injected = true;
        competingAppend([
          { type: 'MoneyWithdrawn', data: { accountId: 'a1', amount: 50, balance: 50 } },
        ]);
      }
    };
    await expect(exec('Withdraw', { accountId: 'a1', amount: 80 }, { observe })).rejects.toThrow(
      'InsufficientFunds: account a1 holds 50, cannot withdraw 80',
    );
    expect((await eventsOf('account-a1')).map((event) => event.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
  });

  it('gives up after maxAttempts conflicts with a ConcurrencyError and appends nothing of its own', async () => {
    await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' });
    let balance = 0;
    const observe = (step: ExecStep) => {
      if (step.kind === 'state') competingDeposit((balance += 1000));
    };
    const attempt = exec('Deposit', { accountId: 'a1', amount: 5 }, { observe, maxAttempts: 3 });
    await expect(attempt).rejects.toThrow(ConcurrencyError);
    await expect(attempt).rejects.toThrow(
      /^gave up after 3 attempts: version conflict on stream "account-a1": expected 3, actual 4$/,
    );
    const amounts = (await eventsOf('account-a1')).slice(1).map((event) => event.data.amount);
    expect(amounts).toEqual([1000, 1000, 1000]);
  });

  it('appends nothing when the decider rejects', async () => {
    await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' });
    await expect(exec('Withdraw', { accountId: 'a1', amount: 1 })).rejects.toThrow(DomainRejection);
    expect(await eventsOf('account-a1')).toHaveLength(1);
  });

  it('decides but appends nothing on a dry run', async () => {
    const result = await exec('OpenAccount', { accountId: 'a1', owner: 'Ada' }, { dryRun: true });
    expect(result.appended).toEqual([]);
    expect(result.decided).toEqual([
      {
        type: 'AccountOpened',
        data: { accountId: 'a1', owner: 'Ada' },
        metadata: { command: 'OpenAccount', correlationId: 'corr-1' },
      },
    ]);
    expect(await readLog()).toEqual([]);
  });
});

describe('executeCommand with a misbehaving decider', () => {
  const domainWith = (decide: () => unknown, streamId: () => unknown = () => 'x') =>
    defineDomain({
      deciders: {
        gadget: {
          category: 'gadget',
          streamId: streamId as () => string,
          initialState: () => null,
          evolve: (state: unknown) => state,
          decide: { Poke: decide as () => [] },
        },
      },
    });
  const poke = (domain: Domain) =>
    executeCommand({ store, domain }, { type: 'Poke', data: {} }, options);

  it('turns a plain throw into a DomainError naming the command, decider and function', async () => {
    const failure = poke(
      domainWith(() => {
        throw new TypeError('x is undefined');
      }),
    );
    await expect(failure).rejects.toThrow(DomainError);
    await expect(failure).rejects.toThrow(
      'command "Poke": decider "gadget" decide.Poke() threw TypeError: x is undefined',
    );
    expect(await readLog()).toEqual([]);
  });

  it('refuses a decision that is not a list of events', async () => {
    await expect(poke(domainWith(() => ({ type: 'Poked' })))).rejects.toThrow(
      'command "Poke": decider "gadget" decide.Poke() must return a list of events, got an object',
    );
    await expect(poke(domainWith(() => [{ data: {} }]))).rejects.toThrow('event 1 needs a type');
  });

  it('calls data that names no stream malformed (exit 2), not a bug', async () => {
    await expect(
      poke(
        domainWith(
          () => [],
          () => undefined,
        ),
      ),
    ).rejects.toThrow(new InputError('Poke: the data names no stream (streamId() gave null)'));
  });
});
