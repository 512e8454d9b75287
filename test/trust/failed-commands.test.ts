import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';
import { withPgClient } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// A failing command changes nothing on disk: not even the empty store file that a write
// command creates before it finds out that its input is bad or its command is rejected.
// (SQLite: a new store is a file; on PostgreSQL a write command makes the schema first, and
// drops it again when the command fails with no event written.)

describe('a failing write command into a folder with no store', () => {
  const example = tempDir();
  const made: { cleanup: () => void }[] = [example];
  beforeAll(async () => {
    expect((await runCli(['init', '--example', 'bank'], { cwd: example.dir })).code).toBe(0);
  });
  afterAll(() => made.forEach((folder) => folder.cleanup()));

  /** A folder with the bank domain module and no store. */
  function bankWithoutStore(): string {
    const folder = tempDir();
    made.push(folder);
    copyFileSync(join(example.dir, 'eventlite.config.ts'), join(folder.dir, 'eventlite.config.ts'));
    writeFileSync(
      join(folder.dir, 'bad.ndjson'),
      '{"stream":"s","type":"T","data":{}}\nnot json\n',
    );
    return folder.dir;
  }

  it.each([
    { args: ['import', 'bad.ndjson'], code: 2 },
    { args: ['append', 's', '--file', 'bad.ndjson'], code: 2 },
    { args: ['exec', 'Withdraw', '{"accountId":"acc-1","amount":5}'], code: 4 },
    { args: ['exec', 'Deposit', '{"accountId":"acc-1","amount":"five"}'], code: 2 },
    { args: ['exec', 'OpenAccount', '{"accountId":"acc-1"'], code: 2 },
  ])('$args exits $code and leaves no file behind', async ({ args, code }) => {
    const dir = bankWithoutStore();
    const before = readdirSync(dir).sort();
    const result = await runCli(args, { cwd: dir });
    expect({ code: result.code, lines: result.stderr.split('\n').length }).toEqual({
      code,
      lines: 2,
    });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a command that succeeds still creates the store', async () => {
    const dir = bankWithoutStore();
    const result = await runCli(['exec', 'OpenAccount', '{"accountId":"acc-1","owner":"Ada"}'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(readdirSync(dir)).toContain('eventlite.db');
  });
});

describe.runIf(backends().some((backend) => backend.name === 'postgres'))(
  'a failing write command into a PostgreSQL database with no store',
  () => {
    const example = tempDir();
    beforeAll(async () => {
      expect((await runCli(['init', '--example', 'bank'], { cwd: example.dir })).code).toBe(0);
      writeFileSync(
        join(example.dir, 'bad.ndjson'),
        '{"stream":"s","type":"T","data":{}}\nnot json\n',
      );
    });
    afterAll(() => example.cleanup());

    const schemas = (url: string) =>
      withPgClient(url, async (client) =>
        (
          await client.query<{ nspname: string }>(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlite%' ORDER BY 1",
          )
        ).rows.map((row) => row.nspname),
      );

    it.each([
      { args: ['import', 'bad.ndjson'], code: 2 },
      { args: ['append', 's', '--file', 'bad.ndjson'], code: 2 },
      { args: ['exec', 'Withdraw', '{"accountId":"acc-1","amount":5}'], code: 4 },
      { args: ['exec', 'Deposit', '{"accountId":"acc-1","amount":"five"}'], code: 2 },
    ])('$args exits $code and leaves no schema behind', async ({ args, code }) => {
      const database = await freshPgDatabase();
      try {
        const result = await runCli(['--db', database.url, ...args], { cwd: example.dir });
        expect({ code: result.code, lines: result.stderr.split('\n').length }).toEqual({
          code,
          lines: 2,
        });
        expect(await schemas(database.url)).toEqual([]);
        const ok = await runCli(
          ['--db', database.url, 'exec', 'OpenAccount', '{"accountId":"acc-1","owner":"Ada"}'],
          { cwd: example.dir },
        );
        expect(ok.code, ok.stderr).toBe(0);
        expect(await schemas(database.url)).toEqual(['eventlite']);
      } finally {
        await database.drop();
      }
    });
  },
);
