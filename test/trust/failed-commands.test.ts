import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';

// A failing command changes nothing on disk: not even the empty store file that a write
// command creates before it finds out that its input is bad or its command is rejected.
// (SQLite: a new store is a file; on PostgreSQL a write command makes the schema first.)

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
