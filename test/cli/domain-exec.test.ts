import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPgUrl, runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `exec` in process, in a folder scaffolded by `init --example bank`, and with small domain
// modules written for one failure each; once per backend.

const template = bankTemplate();

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const others: StoreUnderTest[] = [];
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runOn(store, args, { cwd: folder.dir, ...options });
  const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);

  async function log(): Promise<{ type: string; stream: string; data: any; metadata: any }[]> {
    const result = await cli(['log', '--format', 'ndjson']);
    expect(result.code).toBe(0);
    return parseNdjson(result.stdout) as never;
  }

  // The example copied for each test, and a fresh store: every test starts from one open account.
  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['exec', 'OpenAccount', '{"accountId":"acc-1","owner":"Ada"}'])).code).toBe(
      0,
    );
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.cleanup();
    await store.cleanup();
    folder.cleanup();
  });

  // A domain whose decider misbehaves on demand. `Contended` makes another process append to
  // the stream after every read, so each attempt conflicts: the only honest way to reach exit 3.
  // The other process names the store by its full path (or URL): the CLI under test runs in this
  // process, whose working folder is not the test's.
  const storeForOthers = () => (isPgUrl(store.db) ? store.db : join(folder.dir, store.db));
  const counter = () => `import { execFileSync } from 'node:child_process';
import { defineDomain, reject } from 'eventlite';
export default defineDomain({
  deciders: {
    counter: {
      category: 'counter',
      streamId: (command) => command.data.id,
      initialState: () => 0,
      evolve: (total, event) => (event.type === 'Added' ? total + event.data.by : total),
      decide: {
        Add: () => [{ type: 'Added', data: { by: 1 } }],
        Boom: () => { throw new Error('kaboom'); },
        Refuse: () => reject('NotToday', 'not today'),
        Contended(command) {
          execFileSync(process.execPath, [${JSON.stringify(BIN)}, '--db', ${JSON.stringify(storeForOthers())}, 'append', 'counter-' + command.data.id, 'Noise', '{}']);
          return [{ type: 'Added', data: { by: 1 } }];
        },
      },
    },
  },
});
`;

  describe('exec', () => {
    it('appends the decided events and prints them, with the command and correlation id in metadata', async () => {
      const result = await cli([
        'exec',
        'Deposit',
        '{"accountId":"acc-1","amount":100}',
        '--correlation-id',
        'class-1',
        '--format',
        'ndjson',
      ]);
      expect(result.code).toBe(0);
      const [event] = parseNdjson(result.stdout) as any[];
      expect(event).toMatchObject({
        stream: 'account-acc-1',
        version: 2,
        type: 'MoneyDeposited',
        data: { accountId: 'acc-1', amount: 100, balance: 100 },
        metadata: { command: 'Deposit', correlationId: 'class-1' },
      });
      const events = await log();
      expect(events[0]!.metadata.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(events.map((e) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited']);
    });

    it('reads the data from stdin with - and from EVENTLITE_DOMAIN when set', async () => {
      const result = await cli(['exec', 'Deposit', '-', '--json'], {
        input: '{"accountId":"acc-1","amount":7}',
        env: { EVENTLITE_DOMAIN: 'eventlite.config.ts' },
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toHaveLength(1);
    });

    it('--dry-run prints the events it would append and appends nothing', async () => {
      const result = await cli([
        'exec',
        'Deposit',
        '{"accountId":"acc-1","amount":5}',
        '--dry-run',
        '--format',
        'ndjson',
      ]);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toEqual([
        expect.objectContaining({
          stream: 'account-acc-1',
          version: 2,
          type: 'MoneyDeposited',
          data: { accountId: 'acc-1', amount: 5, balance: 5 },
        }),
      ]);
      expect(result.stderr).toContain('dry run: nothing appended');
      expect(await log()).toHaveLength(1);
    });

    it('--dry-run does not even create a store', async () => {
      const fresh = await backend.otherStore('fresh.db');
      others.push(fresh);
      const result = await cli([
        '--db',
        fresh.db,
        'exec',
        'OpenAccount',
        '{"accountId":"b","owner":"Bo"}',
        '--dry-run',
        '--format',
        'ndjson',
      ]);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toHaveLength(1);
      expect(await storeExists(fresh.db, folder.dir)).toBe(false);
    });

    it('--trace shows the events read, the state, the decision and the append on stderr', async () => {
      const result = await cli([
        'exec',
        'Deposit',
        '{"accountId":"acc-1","amount":5}',
        '--trace',
        '--format',
        'ndjson',
      ]);
      expect(result.code).toBe(0);
      expect(parseNdjson(result.stdout)).toHaveLength(1);
      expect(result.stderr).toContain('read    account-acc-1: 1 event, version 1');
      expect(result.stderr).toContain('1 AccountOpened {"accountId":"acc-1","owner":"Ada"}');
      expect(result.stderr).toContain('fold    → state {"open":true,"owner":"Ada","balance":0}');
      expect(result.stderr).toContain(
        'decide  Deposit {"accountId":"acc-1","amount":5}\n        → MoneyDeposited {"accountId":"acc-1","amount":5,"balance":5}',
      );
      expect(result.stderr).toContain('append  account-acc-1 expecting version 1 → version 2');
    });
  });

  describe('exec failures: one line on stderr, the documented exit code, nothing appended', () => {
    it.each([
      [
        '4: the domain rejects',
        ['Withdraw', '{"accountId":"acc-1","amount":1}'],
        4,
        'error: InsufficientFunds: account acc-1 holds 0, cannot withdraw 1\n',
      ],
      [
        '5: an unknown command',
        ['Teleport', '{}'],
        5,
        'error: unknown command "Teleport"; the domain handles OpenAccount, Deposit, Withdraw\n',
      ],
      [
        '2: malformed JSON',
        ['Deposit', '{"accountId":'],
        2,
        'error: DATA is not valid JSON: Unexpected end of JSON input\n',
      ],
      [
        '2: data that is not an object',
        ['Deposit', '[1]'],
        2,
        'error: DATA must be a JSON object, got an array\n',
      ],
      [
        '2: a field of the wrong type',
        ['Deposit', '{"accountId":"acc-1","amount":"5"}'],
        2,
        'error: Deposit: "amount" must be a number\n',
      ],
      [
        '2: data that names no stream',
        ['Deposit', '{"amount":5}'],
        2,
        'error: Deposit: "accountId" must be a non-empty string\n',
      ],
      [
        '2: a bad --max-attempts',
        ['Deposit', '{}', '--max-attempts', '0'],
        2,
        'error: --max-attempts must be a positive integer, got "0"\n',
      ],
      [
        '2: a --correlation-id with a C1 control, as a stream name would be refused',
        ['Deposit', '{"accountId":"acc-1","amount":5}', '--correlation-id', 'run\u009b1'],
        2,
        'error: --correlation-id must be 1 to 200 printable characters, got "run\\u009b1"\n',
      ],
    ])('exit %s', async (_what, args, code, stderr) => {
      const result = await cli(['exec', ...args]);
      expect({ code: result.code, stderr: result.stderr, stdout: result.stdout }).toEqual({
        code,
        stderr,
        stdout: '',
      });
      expect(await log()).toHaveLength(1);
    });

    it('exit 1 naming the command when a decider throws a plain error; --debug shows where', async () => {
      write('counter.mjs', counter());
      const result = await cli(['--domain', 'counter.mjs', 'exec', 'Boom', '{"id":"c"}']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'error: command "Boom": decider "counter" decide.Boom() threw Error: kaboom\n',
      );
      const debug = await cli(['--domain', 'counter.mjs', '--debug', 'exec', 'Boom', '{"id":"c"}']);
      expect(debug.stderr).toMatch(/Caused by: Error: kaboom\n\s+at .*counter\.mjs:12:/);
      expect(await log()).toHaveLength(1);
    });

    it('exit 4 for a rejection from a JavaScript module, which loads with no build step', async () => {
      write('counter.mjs', counter());
      const ok = await cli([
        '--domain',
        'counter.mjs',
        'exec',
        'Add',
        '{"id":"c"}',
        '--format',
        'ndjson',
      ]);
      expect(ok.code).toBe(0);
      const refused = await cli(['--domain', 'counter.mjs', 'exec', 'Refuse', '{"id":"c"}']);
      expect([refused.code, refused.stderr]).toEqual([4, 'error: NotToday: not today\n']);
    });

    it('exit 3 when other writers win every attempt, with nothing of its own appended', async () => {
      write('counter.mjs', counter());
      const result = await cli([
        '--domain',
        'counter.mjs',
        'exec',
        'Contended',
        '{"id":"c"}',
        '--max-attempts',
        '2',
      ]);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        'error: gave up after 2 attempts: version conflict on stream "counter-c": expected 1, actual 2\n',
      );
      const types = (await log()).filter((e) => e.stream === 'counter-c').map((e) => e.type);
      expect(types).toEqual(['Noise', 'Noise']);
    });

    it('exit 2 naming the file and the missing piece for a module of the wrong shape', async () => {
      write(
        'broken.ts',
        `import { defineDomain } from 'eventlite';
export default defineDomain({
  deciders: {
    account: { category: 'account', streamId: () => 'a', initialState: () => 0, decide: { Open: () => [] } },
  },
} as never);
`,
      );
      const result = await cli(['--domain', 'broken.ts', 'exec', 'Open', '{}']);
      expect([result.code, result.stderr]).toEqual([
        2,
        'error: broken.ts: decider "account" has no evolve()\n',
      ]);
    });

    it('exit 2 for a module that does not compile, naming the file, line and column', async () => {
      write('typo.ts', 'export default {\n  deciders: {\n');
      const result = await cli(['--domain', 'typo.ts', 'exec', 'Open', '{}']);
      expect([result.code, result.stderr]).toEqual([
        2,
        "error: typo.ts:3:1: cannot load the domain module: '}' expected.\n",
      ]);
    });

    it('keeps TypeScript line numbers in the stack of a failing decider', async () => {
      write(
        'lines.ts',
        `import { defineDomain } from 'eventlite';
interface State { count: number }
export default defineDomain({
  deciders: {
    thing: {
      category: 'thing', streamId: () => 'a',
      initialState: (): State => ({ count: 0 }), evolve: (state: State) => state,
      decide: { Do: (): never => { throw new RangeError('line nine'); } },
    },
  },
});
`,
      );
      const result = await cli(['--domain', 'lines.ts', '--debug', 'exec', 'Do', '{}']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/lines\.ts:8:\d+/);
    });

    it('exit 2 with a pointer to init when there is no domain module, 5 for a --domain that is not there', async () => {
      const empty = tempDir();
      try {
        const none = await runOn(store, ['exec', 'Deposit', '{}'], { cwd: empty.dir });
        expect([none.code, none.stderr]).toEqual([
          2,
          'error: no domain module: give --domain or create eventlite.config.ts (see eventlite init --example bank)\n',
        ]);
        const missing = await runOn(store, ['--domain', 'nope.ts', 'exec', 'Deposit', '{}'], {
          cwd: empty.dir,
        });
        expect([missing.code, missing.stderr]).toEqual([
          5,
          'error: no such domain module: nope.ts\n',
        ]);
      } finally {
        empty.cleanup();
      }
    });
  });
});
