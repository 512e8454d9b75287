import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoPassword, runOn, serverPassword, shown } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

// Where a SQLite store's read database goes is a matter of file names: SQLite only. A
// PostgreSQL store keeps its read models in its own database (below).
it.each([
  ['store', 'store.read.db'],
  ['events.sqlite', 'events.sqlite.read.db'],
  ['bank.db', 'bank.read.db'],
])('status names the read database beside --db %s as %s', async (db, readDb) => {
  const cli = (args: string[]) => runInProcess(['--db', db, ...args], { cwd: folder.dir });
  expect((await cli(['init'])).code).toBe(0);
  const status = await cli(['status', '--json']);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ store: db, readDb });
});

const postgres = backends().find((backend) => backend.name === 'postgres');

describe.runIf(postgres !== undefined)('on postgres', () => {
  let store: StoreUnderTest;
  let readStore: StoreUnderTest;
  beforeEach(async () => {
    store = await postgres!.freshStore();
    readStore = await postgres!.otherStore('read');
  });
  afterEach(async () => {
    await readStore.cleanup();
    await store.cleanup();
  });

  it('status names the store and its read models (by default the same database), never the password', async () => {
    // The check applied to every PostgreSQL run has a password to look for.
    expect(serverPassword()).toMatch(/^.{8,}$/);
    expect(store.db).toContain(`:${serverPassword()!}@`);
    const cli = (args: string[]) => runOn(store, ['--db', store.db, ...args], { cwd: folder.dir });
    expect((await cli(['init'])).code).toBe(0);
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      store: shown(store.db),
      readDb: shown(store.db),
      readDbBytes: null,
    });
    const elsewhere = await cli(['--read-db', readStore.db, 'status', '--json']);
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({
      store: shown(store.db),
      readDb: shown(readStore.db),
    });
  });

  it('keeps a password given as ?password= out of the output too', async () => {
    const url = new URL(store.db);
    const password = url.password;
    url.password = '';
    url.searchParams.set('password', password);
    const cli = (args: string[]) =>
      runOn(store, ['--db', url.toString(), ...args], { cwd: folder.dir });
    expect((await cli(['init'])).code).toBe(0);
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ store: shown(store.db) });
  });

  it('refuses a wrong password with exit 1, without showing it', async () => {
    const url = new URL(store.db);
    url.password = 'not-the-password-4d1f';
    const result = await runOn(store, ['--db', url.toString(), 'log'], { cwd: folder.dir });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).not.toContain('not-the-password-4d1f');
    expectNoPassword(result);
  });
});
