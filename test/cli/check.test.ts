import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `eventlite check` for CI: the module loads with the right shape, type-checks, and its
// projections handle no event type the store has never held; once per backend.

const TS_VERSION = (
  JSON.parse(
    readFileSync(join(__dirname, '../../node_modules/typescript/package.json'), 'utf8'),
  ) as {
    version: string;
  }
).version;

const template = bankTemplate();

describe.each(backends())('check on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });
  const config = () => join(folder.dir, 'eventlite.config.ts');
  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true, verbatimSymlinks: true });
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('passes the scaffolded example, saying what it checked', async () => {
    const result = await cli(['check']);
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout:
        'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        `eventlite.config.ts: type-checks (TypeScript ${TS_VERSION})\n` +
        'eventlite.config.ts: projection handlers not compared: the store has no events\n',
      stderr: '',
    });
  });

  it('warns of a projection handler for an event type the store has never held', async () => {
    writeFileSync(
      config(),
      readFileSync(config(), 'utf8').replace(
        '  on: {\n',
        "  on: {\n    MoneyDeposted: () => ({ sql: 'SELECT 1', params: {} }),\n",
      ),
    );
    expect((await cli(['replay', 'scenario.ndjson', '--keep-going'])).code).toBe(0);
    const result = await cli(['check', '--no-types']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      0,
      'eventlite.config.ts: loads, 1 decider and 1 projection\n',
      'warning: projection "account_summary" handles MoneyDeposted, which no stored event has: it is never called (a typo?)\n',
    ]);
    // Without the typo every handler's type is in the store.
    writeFileSync(
      config(),
      readFileSync(config(), 'utf8').replace(
        "    MoneyDeposted: () => ({ sql: 'SELECT 1', params: {} }),\n",
        '',
      ),
    );
    const clean = await cli(['check', '--no-types']);
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([
      0,
      'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        "eventlite.config.ts: every projection handler's event type is in the store\n",
      '',
    ]);
  });

  it('exits 2 on a type error, with TypeScript’s report', async () => {
    writeFileSync(
      config(),
      `${readFileSync(config(), 'utf8')}export const oops: number = 'text';\n`,
    );
    const lines = readFileSync(config(), 'utf8').split('\n').length - 1;
    const result = await cli(['check']);
    // The store's findings still follow a type error (here: there are none to compare with).
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        'eventlite.config.ts: projection handlers not compared: the store has no events\n',
      `eventlite.config.ts(${lines},14): error TS2322: Type 'string' is not assignable to type 'number'.\n` +
        `error: eventlite.config.ts: 1 type error (TypeScript ${TS_VERSION})\n`,
    ]);
  });
});

describe('check under CI', () => {
  it('with TypeScript at hand, type-checks as anywhere; --require-types with --no-types is refused', async () => {
    const { dir, cleanup } = tempDir();
    try {
      cpSync(template.dir, dir, { recursive: true, verbatimSymlinks: true });
      const ci = await runInProcess(['check', '--require-types'], {
        cwd: dir,
        env: { CI: 'true' },
      });
      expect([ci.code, ci.stderr]).toEqual([0, '']);
      expect(ci.stdout).toContain(`eventlite.config.ts: type-checks (TypeScript ${TS_VERSION})\n`);
      const both = await runInProcess(['check', '--require-types', '--no-types'], { cwd: dir });
      expect([both.code, both.stdout, both.stderr]).toEqual([
        2,
        '',
        'error: --require-types and --no-types contradict each other; give one\n',
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('check without a store', () => {
  it('a JavaScript module is not type-checked, and says so', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(
        join(dir, 'eventlite.config.mjs'),
        "export default { deciders: { a: { category: 'a', streamId: () => 'x', initialState: () => 0, evolve: (s) => s, decide: { Go: () => [] } } } };\n",
      );
      const result = await runInProcess(['check'], { cwd: dir });
      expect([result.code, result.stdout, result.stderr]).toEqual([
        0,
        'eventlite.config.mjs: loads, 1 decider and 0 projections\n' +
          'eventlite.config.mjs: not type-checked: a JavaScript module has no types to check\n' +
          'eventlite.config.mjs: projection handlers not compared: the store has no events\n',
        '',
      ]);
    } finally {
      cleanup();
    }
  });
});
