import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

it.each([
  ['store', 'store.read.db'],
  ['events.sqlite', 'events.sqlite.read.db'],
  ['bank.db', 'bank.read.db'],
])('status names the read database beside --db %s as %s', async (db, readDb) => {
  const cli = (args: string[]) => runCli(['--db', db, ...args], { cwd: folder.dir });
  expect((await cli(['init'])).code).toBe(0);
  const status = await cli(['status', '--json']);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ store: db, readDb });
});
