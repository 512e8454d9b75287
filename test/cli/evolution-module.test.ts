import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeFingerprint } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// Each bad module case of issue 20, through the CLI in process: its one line on stderr, its
// exit code, and nothing appended. Schemas here are hand-written Standard Schema objects.

interface ModuleOptions {
  /** What decide.Deposit returns, as JavaScript source. */
  decides?: string;
  /** The events declaration, as JavaScript source. */
  events?: string;
  /** The Deposit command's schema, as JavaScript source. */
  depositSchema?: string;
}

const module = (options: ModuleOptions = {}) => `
import { defineDomain } from 'eventlite';
// A Standard Schema: an object whose named fields are numbers.
const numbers = (...fields) => ({
  '~standard': {
    version: 1,
    vendor: 'test',
    validate(value) {
      const issues = fields
        .filter((field) => typeof value?.[field] !== 'number')
        .map((field) => ({ message: 'expected a number', path: [field] }));
      return issues.length > 0 ? { issues } : { value };
    },
  },
});
export default defineDomain({
  deciders: {
    account: {
      category: 'account',
      streamId: (command) => command.data.accountId,
      initialState: () => ({ total: 0 }),
      evolve: (state, event) => ({ total: state.total + event.data.amount }),
      decide: {
        Deposit: (command) => ${options.decides ?? "[{ type: 'MoneyDeposited', data: { amount: command.data.amount } }]"},
      },
    },
  },
  commands: { Deposit: { schema: ${options.depositSchema ?? "numbers('amount', 'cents')"} } },
  events: ${options.events ?? "{ MoneyDeposited: { version: 2, schema: numbers('amount') }, Deposited: { renamedTo: 'MoneyDeposited' } }"},
});
`;

describe.each(backends())('declared commands and events on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });
  const write = (options: ModuleOptions = {}) =>
    writeFileSync(join(folder.dir, 'eventlite.config.mjs'), module(options));
  /** Runs a command that must fail and change nothing in the store. */
  const refused = async (args: string[], input?: string) => {
    const before = await storeFingerprint(store.db, folder.dir);
    const result = await cli(args, input);
    expect(await storeFingerprint(store.db, folder.dir)).toBe(before);
    return [result.code, result.stdout, result.stderr];
  };

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    write();
    expect((await cli(['init'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('refuses command data that fails its schema before decide, listing each issue', async () => {
    const schemaLine =
      "Deposit: the data does not match the command's schema: amount: expected a number; cents: expected a number";
    expect(await refused(['exec', 'Deposit', '{"accountId":"a1","amount":"ten"}'])).toEqual([
      2,
      '',
      `error: ${schemaLine}\n`,
    ]);
    const json = await refused(['exec', 'Deposit', '{"accountId":"a1"}', '--format', 'json']);
    expect(json[0]).toBe(2);
    expect(JSON.parse(json[2] as string)).toEqual({
      error: {
        exitCode: 2,
        kind: 'usage',
        message:
          "Deposit: the data does not match the command's schema: amount: expected a number; cents: expected a number",
        issues: [
          { path: 'amount', message: 'expected a number' },
          { path: 'cents', message: 'expected a number' },
        ],
      },
    });
    const line = '{"command":"Deposit","data":{"accountId":"a1","amount":"ten"}}\n';
    writeFileSync(join(folder.dir, 'commands.ndjson'), line);
    expect(await refused(['exec', '--file', 'commands.ndjson'])).toEqual([
      2,
      '',
      `error: ${schemaLine}\n`,
    ]);
    const replayed = await refused(['replay', 'commands.ndjson']);
    expect([replayed[0], replayed[2]]).toEqual([
      2,
      'replayed commands.ndjson: 0 applied, 0 rejected, 1 failed, 0 events appended\n' +
        `error: commands.ndjson:1: ${schemaLine}\n`,
    ]);
    writeFileSync(
      join(folder.dir, 'deposit.spec.yaml'),
      '- when: { command: Deposit, data: { accountId: a1, amount: ten } }\n' +
        "  then: { invalid: 'amount: expected a number' }\n",
    );
    const spec = await cli(['test', 'deposit.spec.yaml']);
    expect([spec.code, spec.stderr]).toEqual([0, '1 of 1 specs passed\n']);
  });

  it('appends the declared version of a decided event', async () => {
    const result = await cli(['exec', 'Deposit', '{"accountId":"a1","amount":5,"cents":0}']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/"type":"MoneyDeposited","schemaVersion":2,"id":/);
  });

  it.each([
    [
      'an undeclared type',
      "[{ type: 'MoneyDepositd', data: { amount: 1 } }]",
      'event 1 (MoneyDepositd) is not a declared event type (events declares MoneyDeposited)',
    ],
    [
      'an old name',
      "[{ type: 'Deposited', data: { amount: 1 } }]",
      'event 1 (Deposited) is an old name, read today as MoneyDeposited: decide MoneyDeposited',
    ],
    [
      'data that fails its schema',
      "[{ type: 'MoneyDeposited', data: { amount: 1 } }, { type: 'MoneyDeposited', data: { amount: 'one' } }]",
      'event 2 (MoneyDeposited) does not match its schema: amount: expected a number',
    ],
  ])('a decider that returns %s appends nothing: exit 1', async (_case, decides, problem) => {
    write({ decides });
    expect(await refused(['exec', 'Deposit', '{"accountId":"a1","amount":1,"cents":0}'])).toEqual([
      1,
      '',
      `error: command "Deposit": decider "account" decide.Deposit(): ${problem}\n`,
    ]);
  });

  it('a schema that validates asynchronously is the domain failing: exit 1', async () => {
    write({
      depositSchema:
        "{ '~standard': { version: 1, vendor: 'test', validate: async (value) => ({ value }) } }",
    });
    expect(await refused(['exec', 'Deposit', '{"accountId":"a1","amount":1}'])).toEqual([
      1,
      '',
      'error: commands.Deposit.schema validated asynchronously (an async refinement?): eventlite needs a schema that validates synchronously\n',
    ]);
  });
});

describe('a declaration that cannot load', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir();
  });
  afterEach(() => folder.cleanup());

  it.each([
    [
      'a rename onto an undeclared type',
      "{ MoneyDeposited: {}, Deposited: { renamedTo: 'MoneyDepositd' } }",
      'events.Deposited.renamedTo names "MoneyDepositd", which events does not declare',
    ],
    [
      'a loop of renames',
      "{ MoneyDeposited: {}, A: { renamedTo: 'B' }, B: { renamedTo: 'A' } }",
      'events: renamedTo goes round in a loop: A → B → A',
    ],
    [
      'an async upcaster',
      '{ MoneyDeposited: { version: 2, upcast: { 1: async (data) => data } } }',
      'events.MoneyDeposited.upcast[1] is async: upcasters must be synchronous (data in, data out)',
    ],
    [
      'personal data that seals its own subject',
      "{ MoneyDeposited: { personalData: { subject: 'accountId', fields: ['note', 'accountId'] } } }",
      'events.MoneyDeposited.personalData.fields[1] is the subject field "accountId": the subject stays readable, so it cannot be sealed',
    ],
    [
      'a personal data field that is no path',
      "{ MoneyDeposited: { personalData: { subject: 'accountId', fields: ['owner..name'] } } }",
      'events.MoneyDeposited.personalData.fields[0] must name a field like owner or address.street, got "owner..name"',
    ],
  ])('%s is refused on load, by exec and check alike: exit 2', async (_case, events, problem) => {
    writeFileSync(join(folder.dir, 'eventlite.config.mjs'), module({ events }));
    for (const args of [['exec', 'Deposit', '{"accountId":"a1","amount":1}'], ['check']]) {
      const result = await runInProcess(args, { cwd: folder.dir });
      expect([result.code, result.stdout, result.stderr]).toEqual([
        2,
        '',
        `error: eventlite.config.mjs: ${problem}\n`,
      ]);
    }
    expect(readdirSync(folder.dir)).toEqual(['eventlite.config.mjs']);
  });
});
