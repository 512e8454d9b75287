import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { ROOT, tempDir } from '../helpers/cli.js';

// A teacher switches examples in one folder: `reset --yes && init --example orders --force`.
// --force replaces the other example's files (naming them), so that `eventlite test` runs
// the new example's specs alone; without it, init refuses with a line that says which. Once
// per backend, as reset is.

const ORDERS_FILES = [
  'eventlite.config.ts',
  'events.ts',
  'orders-projection.ts',
  'scenario.ndjson',
  'specs/customer.spec.yaml',
  'specs/order.spec.yaml',
  'specs/read-models.spec.yaml',
];

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });
  /** The folder's files but the store's and what node_modules/eventlite links to. */
  const files = () =>
    readdirSync(folder.dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !/^eventlite\.(read\.)?db/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name).slice(folder.dir.length + 1))
      .filter((path) => !path.startsWith('node_modules/'))
      .sort();
  const shipped = (example: string, file: string) =>
    readFileSync(join(ROOT, 'fixtures', example, file), 'utf8');

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    expect((await cli(['init', '--example', 'bank'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('reset, then init --example orders --force: the bank is gone and every spec passes', async () => {
    expect((await cli(['replay', 'scenario.ndjson', '--keep-going'])).code).toBe(0);
    expect((await cli(['reset', '--yes'])).code).toBe(0);
    const init = await cli(['init', '--example', 'orders', '--force']);
    expect(init.code).toBe(0);
    expect(init.stderr).toContain(
      "\nremoved the bank example's specs/account-summary.spec.yaml, specs/account.spec.yaml\n",
    );
    expect(files()).toEqual([...ORDERS_FILES, 'tsconfig.json'].sort());
    const test = await cli(['test', '--format', 'ndjson']);
    expect(test.code).toBe(0);
    expect(test.stderr).toMatch(/^(\d+) of \1 specs passed\n$/);
  });

  it('without --force, refuses with a line that names what it would overwrite and leave', async () => {
    const before = files();
    const init = await cli(['init', '--example', 'orders']);
    expect([init.code, init.stdout, init.stderr]).toEqual([
      2,
      '',
      "error: refusing to overwrite eventlite.config.ts, scenario.ndjson or to leave the bank example's specs/account-summary.spec.yaml, specs/account.spec.yaml beside it (use --force)\n",
    ]);
    expect(files()).toEqual(before);
    expect(readFileSync(join(folder.dir, 'eventlite.config.ts'), 'utf8')).toBe(
      shipped('bank', 'eventlite.config.ts'),
    );
  });

  it('even with --force, keeps a changed file of the other example: refuses and names it', async () => {
    const mine = join(folder.dir, 'specs/account.spec.yaml');
    writeFileSync(mine, `${readFileSync(mine, 'utf8')}# my own case to come\n`);
    const before = files();
    const init = await cli(['init', '--example', 'orders', '--force']);
    expect([init.code, init.stderr]).toEqual([
      2,
      "error: refusing to remove the bank example's specs/account.spec.yaml: changed since it was written; move it out of the way and run again\n",
    ]);
    expect(files()).toEqual(before);
    expect(readFileSync(join(folder.dir, 'eventlite.config.ts'), 'utf8')).toBe(
      shipped('bank', 'eventlite.config.ts'),
    );
  });

  it('back from orders to bank, keeping a spec of its own with a warning', async () => {
    expect((await cli(['init', '--example', 'orders', '--force'])).code).toBe(0);
    writeFileSync(join(folder.dir, 'specs/mine.yaml'), '[]\n');
    const init = await cli(['init', '--example', 'bank', '--force']);
    expect(init.code).toBe(0);
    expect(init.stderr).toContain(
      "removed the orders example's events.ts, orders-projection.ts, specs/customer.spec.yaml, specs/order.spec.yaml, specs/read-models.spec.yaml\n" +
        'warning: specs/mine.yaml was not written by init; eventlite test runs it too\n',
    );
    expect(files()).toEqual(
      [
        'eventlite.config.ts',
        'scenario.ndjson',
        'specs/account-summary.spec.yaml',
        'specs/account.spec.yaml',
        'specs/mine.yaml',
        'tsconfig.json',
      ].sort(),
    );
  });
});
