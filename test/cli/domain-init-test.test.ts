import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPgUrl, runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, ROOT, tempDir } from '../helpers/cli.js';

// `init --example` and `test`, as a class would use them: scaffold, run the specs, break one.
// Once per backend; the demo script makes its own SQLite stores, or uses the URL it is given.

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  describe('init --example', () => {
    it('writes a runnable bank example and the store, and refuses to overwrite without --force', async () => {
      const first = await cli(['init', '--example', 'bank']);
      expect(first.code).toBe(0);
      // A SQLite store is a file in the folder; a PostgreSQL store is in its database.
      // node_modules/eventlite is a link to this package: what is inside it is not the scaffold's.
      const listed = readdirSync(folder.dir, { recursive: true, encoding: 'utf8' }).filter(
        (path) => !path.startsWith('node_modules/eventlite/'),
      );
      expect(listed.sort()).toEqual([
        'eventlite.config.ts',
        ...(isPgUrl(store.db) ? [] : ['eventlite.db']),
        // What lets `tsc --noEmit` find 'eventlite' (test/cli/scaffold-typecheck.test.ts).
        'node_modules',
        'node_modules/eventlite',
        'scenario.ndjson',
        'specs',
        'specs/account-summary.spec.yaml',
        'specs/account.spec.yaml',
        'tsconfig.json',
      ]);
      expect(await storeExists(store.db, folder.dir)).toBe(true);
      expect(readFileSync(join(folder.dir, 'eventlite.config.ts'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'fixtures/bank/eventlite.config.ts'), 'utf8'),
      );

      writeFileSync(join(folder.dir, 'scenario.ndjson'), 'my own story\n');
      const again = await cli(['init', '--example', 'bank']);
      expect([again.code, again.stderr]).toEqual([
        2,
        'error: refusing to overwrite eventlite.config.ts, scenario.ndjson, specs/account-summary.spec.yaml, specs/account.spec.yaml (use --force)\n',
      ]);
      expect(readFileSync(join(folder.dir, 'scenario.ndjson'), 'utf8')).toBe('my own story\n');

      const forced = await cli(['init', '--example', 'bank', '--force']);
      expect(forced.code).toBe(0);
      expect(readFileSync(join(folder.dir, 'scenario.ndjson'), 'utf8')).toContain('"OpenAccount"');
    });

    it('refuses an example it does not have', async () => {
      const result = await cli(['init', '--example', 'library']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "argument 'library' is invalid. Allowed choices are bank, orders.",
      );
      expect(readdirSync(folder.dir)).toEqual([]);
      expect(await storeExists(store.db, folder.dir)).toBe(false);
    });

    it('scaffolds orders: its scenario replays (two rejections) and its specs pass', async () => {
      expect((await cli(['init', '--example', 'orders'])).code).toBe(0);
      const replay = await cli(['replay', 'scenario.ndjson', '--keep-going', '--format', 'ndjson']);
      expect(replay.code).toBe(0);
      expect(replay.stderr).toContain(
        'replayed scenario.ndjson: 12 applied, 2 rejected, 12 events appended',
      );
      const state = await cli(['state', 'order-o-2', '--format', 'ndjson']);
      expect(state.stdout).toBe('{"status":"cancelled"}\n');
      const test = await cli(['test', '--format', 'ndjson']);
      expect(test.code).toBe(0);
      const results = parseNdjson(test.stdout) as { passed: boolean }[];
      expect(results.length).toBeGreaterThanOrEqual(16);
      expect(results.every((result) => result.passed)).toBe(true);
      expect(test.stderr).toBe(`${results.length} of ${results.length} specs passed\n`);
    });
  });

  describe('test', () => {
    beforeEach(async () => {
      expect((await cli(['init', '--example', 'bank'])).code).toBe(0);
    });

    it('passes the shipped specs, printing each case', async () => {
      const result = await cli(['test', '--format', 'table']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        'specs/account.spec.yaml\n  ✓ opening an account  (line 4)\n',
      );
      expect(result.stdout).toContain(
        'specs/account-summary.spec.yaml\n  ✓ account_summary follows deposits and withdrawals  (line 7)\n',
      );
      expect(result.stdout).not.toContain('✗');
    });

    it('fails, exit 1, when a spec is wrong, saying which and why', async () => {
      const path = join(folder.dir, 'specs/account.spec.yaml');
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace(
          'data: { amount: 50, balance: 150 }',
          'data: { amount: 50, balance: 160 }',
        ),
      );
      const result = await cli(['test', '--format', 'table']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        '  ✗ a deposit raises the balance  (line 23)\n      event 1 (MoneyDeposited): data.balance: expected 160, got 150\n',
      );
      expect(result.stderr).toBe('error: 1 of 12 specs failed\n');
    });

    it('runs the spec files it is given, JSON included', async () => {
      writeFileSync(
        join(folder.dir, 'extra.json'),
        JSON.stringify({
          cases: [
            {
              name: 'json',
              when: { command: 'Deposit', data: { accountId: 'a', amount: 1 } },
              then: { events: [{ type: 'MoneyDeposited' }] },
            },
          ],
        }),
      );
      const result = await cli(['test', 'extra.json', '--format', 'ndjson']);
      expect(result.code).toBe(1);
      expect(parseNdjson(result.stdout)).toEqual([
        {
          file: 'extra.json',
          line: 1,
          name: 'json',
          passed: false,
          message:
            'expected MoneyDeposited, but the command rejected: AccountNotOpen: account a was never opened',
        },
      ]);
    });

    it('exit 2 for a malformed spec file, 5 when there are no specs', async () => {
      writeFileSync(
        join(folder.dir, 'specs/broken.yaml'),
        '- name: no then\n  when: { command: Deposit }\n',
      );
      const broken = await cli(['test']);
      expect([broken.code, broken.stderr]).toEqual([
        2,
        'error: specs/broken.yaml:1 (no then): "then" must be a JSON object, got null\n',
      ]);
      const none = await cli(['test', 'missing']);
      expect([none.code, none.stderr]).toEqual([
        5,
        'error: no such spec file or folder: missing\n',
      ]);
    });
  });
});

describe('npm run demo', () => {
  async function demo(args: string[] = [], env: Record<string, string> = {}) {
    const { spawnSync } = await import('node:child_process');
    return spawnSync(process.execPath, [join(ROOT, 'scripts/demo.mjs'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  }

  /** The bank story, then three months of orders, told through the real CLI. */
  function expectTheStory(result: { status: number | null; stdout: string; stderr: string }) {
    expect([result.status, result.stderr]).toEqual([0, expect.any(String)]);
    expect(result.stdout).toContain('$ eventlite replay scenario.ndjson --keep-going');
    expect(result.stdout).toContain('"balance": 70');
    expect(result.stderr).toContain(
      'replayed scenario.ndjson: 7 applied, 1 rejected, 7 events appended',
    );
    expect(result.stderr).toContain('error: InsufficientFunds');
    // It ends on the read side: the projection caught up, then account_summary as a table.
    expect(result.stderr).toContain('account_summary: at position 8\n');
    const query =
      "$ eventlite query 'SELECT * FROM account_summary ORDER BY account_id' --format table\n";
    expect(result.stdout).toContain(query);
    const table = result.stdout.slice(result.stdout.lastIndexOf(query) + query.length);
    const rows = table.split('\n').filter((line) => /^│ acc-/.test(line));
    expect(
      rows.map((line) =>
        line
          .split('│')
          .slice(1, 4)
          .map((cell) => cell.trim()),
      ),
    ).toEqual([
      ['acc-1', 'Ada Lovelace', '50'],
      ['acc-2', 'Grace Hopper', '10'],
    ]);
    expect(table.split('\nThe orders example')[0]!.trimEnd().endsWith('┘')).toBe(true);
    // Then the orders example: a scenario over three months, and its monthly summary.
    expect(result.stderr).toContain(
      'replayed scenario.ndjson: 12 applied, 2 rejected, 12 events appended',
    );
    const monthly =
      "$ eventlite query 'SELECT * FROM monthly_customer_summary ORDER BY customer_id, month' --format table\n";
    const summary = result.stdout.slice(result.stdout.lastIndexOf(monthly) + monthly.length);
    expect(
      summary
        .split('\n')
        .filter((line) => /^│ c-/.test(line))
        .map((line) =>
          line
            .split('│')
            .slice(1, 7)
            .map((cell) => cell.trim()),
        ),
    ).toEqual([
      ['c-1', 'ada@example.com', '2026-01', '1', '12.6', '12.6'],
      ['c-1', 'ada@example.com', '2026-02', '1', '10', '10'],
      ['c-1', 'ada@example.com', '2026-03', '2', '30', '15'],
      ['c-2', 'grace@example.com', '2026-03', '1', '39', '39'],
    ]);
  }

  it('tells the bank story, then three months of orders, through the real CLI and cleans up after itself', async () => {
    expectTheStory(await demo());
  });

  const postgres = backends().find((backend) => backend.name === 'postgres');
  it.runIf(postgres)(
    'on PostgreSQL with --db URL: the same story, each example in a database of its own, emptied again',
    async () => {
      const store = await postgres!.freshStore();
      const orders = new URL(store.db);
      orders.pathname = `${orders.pathname}_orders`;
      try {
        const result = await demo(['--db', store.db]);
        expectTheStory(result);
        const shown = new URL(store.db);
        shown.password = '';
        expect(result.stdout).toContain(`$ export EVENTLITE_DB=${shown.toString()}\n`);
        expect(result.stdout + result.stderr).not.toContain(new URL(store.db).password);
        for (const db of [store.db, orders.toString()]) {
          const status = await runOn(store, ['--db', db, 'status', '--format', 'json'], {
            cwd: ROOT,
          });
          expect(JSON.parse(status.stdout)).toMatchObject({ events: 0 });
        }
        // A store that holds events is left alone (EVENTLITE_DB works as --db does).
        expect((await runOn(store, ['append', 'a-1', 'Kept', '{}'], { cwd: ROOT })).code).toBe(0);
        const refused = await demo([], { EVENTLITE_DB: store.db });
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain(
          `demo failed: ${shown.toString()} already holds 1 events; the demo needs an empty store (another database, or eventlite reset)\n`,
        );
      } finally {
        await store.cleanup();
        await dropDatabase(store.db, orders.pathname.slice(1));
      }
    },
    // Some twenty processes against a server: on a busy 2-core machine, a minute or more.
    180_000,
  );
});

async function dropDatabase(url: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
