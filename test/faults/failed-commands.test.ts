import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { withPgClient } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// A failing command changes nothing on disk: not even the empty store file that a write
// command creates before it finds out that its input is bad or its command is rejected.
// (SQLite: a new store is a file; on PostgreSQL a write command makes the schema first, and
// drops it again when the command fails with no event written.) A replay's lines commit one
// by one: one that fails before its first event leaves nothing either, one that fails later
// keeps the store and what it stored.

interface Failing {
  args: string[];
  code: number;
  /** Lines on stderr, the last one empty: the error line alone unless said. */
  lines?: number;
}

/** Failing replays: the summary line, then the error (and with --keep-going the line's error first). */
const REPLAYS: Failing[] = [
  { args: ['replay', 'rejected.ndjson'], code: 4, lines: 3 },
  { args: ['replay', 'broken.ndjson'], code: 2, lines: 3 },
  { args: ['replay', 'broken.ndjson', '--keep-going'], code: 2, lines: 4 },
];

describe('a failing write command into a folder with no store', () => {
  const example = tempDir();
  const made: { cleanup: () => void }[] = [example];
  beforeAll(async () => {
    expect((await runInProcess(['init', '--example', 'bank'], { cwd: example.dir })).code).toBe(0);
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
    writeScenarios(folder.dir);
    return folder.dir;
  }

  it.each<Failing>([
    { args: ['import', 'bad.ndjson'], code: 2 },
    { args: ['append', 's', '--file', 'bad.ndjson'], code: 2 },
    { args: ['exec', 'Withdraw', '{"accountId":"acc-1","amount":5}'], code: 4 },
    { args: ['exec', 'Deposit', '{"accountId":"acc-1","amount":"five"}'], code: 2 },
    { args: ['exec', 'OpenAccount', '{"accountId":"acc-1"'], code: 2 },
    ...REPLAYS,
  ])('$args exits $code and leaves no file behind', async ({ args, code, lines = 2 }) => {
    const dir = bankWithoutStore();
    const before = readdirSync(dir).sort();
    const result = await runInProcess(args, { cwd: dir });
    expect({ code: result.code, lines: result.stderr.split('\n').length }).toEqual({
      code,
      lines,
    });
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it.each<Failing>([
    { args: ['exec', 'OpenAccount', '{"accountId":"acc-1","owner":"Ada"}'], code: 0 },
    // Rejections alone are no failure with --keep-going.
    { args: ['replay', 'rejected.ndjson', '--keep-going'], code: 0 },
    { args: ['replay', 'late.ndjson'], code: 2 },
  ])(
    '$args exits $code and creates the store: it succeeded, or stored an event first',
    async ({ args, code }) => {
      const dir = bankWithoutStore();
      expect((await runInProcess(args, { cwd: dir })).code).toBe(code);
      expect(readdirSync(dir)).toContain('eventlite.db');
    },
  );
});

describe.runIf(backends().some((backend) => backend.name === 'postgres'))(
  'a failing write command into a PostgreSQL database with no store',
  () => {
    const example = tempDir();
    beforeAll(async () => {
      expect((await runInProcess(['init', '--example', 'bank'], { cwd: example.dir })).code).toBe(
        0,
      );
      writeFileSync(
        join(example.dir, 'bad.ndjson'),
        '{"stream":"s","type":"T","data":{}}\nnot json\n',
      );
      writeScenarios(example.dir);
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

    it.each<Failing>([
      { args: ['import', 'bad.ndjson'], code: 2 },
      { args: ['append', 's', '--file', 'bad.ndjson'], code: 2 },
      { args: ['exec', 'Withdraw', '{"accountId":"acc-1","amount":5}'], code: 4 },
      { args: ['exec', 'Deposit', '{"accountId":"acc-1","amount":"five"}'], code: 2 },
      ...REPLAYS,
    ])('$args exits $code and leaves no schema behind', async ({ args, code, lines = 2 }) => {
      const database = await freshPgDatabase();
      try {
        const result = await runInProcess(['--db', database.url, ...args], { cwd: example.dir });
        expect({ code: result.code, lines: result.stderr.split('\n').length }).toEqual({
          code,
          lines,
        });
        expect(await schemas(database.url)).toEqual([]);
        const ok = await runInProcess(
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

/**
 * Scenarios for the bank: one whose first line is rejected (no account), one whose first line
 * is not JSON, and one that opens an account before its broken line.
 */
function writeScenarios(dir: string): void {
  const withdraw = '{"command":"Withdraw","data":{"accountId":"acc-1","amount":5}}';
  const open = '{"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}';
  writeFileSync(join(dir, 'rejected.ndjson'), `${withdraw}\n`);
  writeFileSync(join(dir, 'broken.ndjson'), 'not json\n');
  writeFileSync(join(dir, 'late.ndjson'), `${open}\nnot json\n`);
}
