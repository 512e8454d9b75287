import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// A SQLite store (or read database) named in a folder that does not exist is the user's slip,
// not an "unexpected failure": exit 5, naming the folder, and nothing created. A folder is a
// SQLite matter alone: a PostgreSQL store is named by a URL.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

describe('a --db in a folder that does not exist', () => {
  it.each([[['init']], [['append', 'book-1', 'BookAdded', '{}']], [['import', '-']]])(
    '%j exits 5 naming the folder',
    async (args) => {
      const result = await runInProcess(['--db', 'data/library.db', ...args], {
        cwd: folder.dir,
        input: '',
      });
      expect([result.code, result.stdout, result.stderr]).toEqual([
        5,
        '',
        'error: cannot create the event store data/library.db: no such folder data\n',
      ]);
      expect(existsSync(join(folder.dir, 'data'))).toBe(false);
    },
  );

  it('a --read-db in a missing folder says so too', async () => {
    expect((await runInProcess(['init', '--example', 'bank'], { cwd: folder.dir })).code).toBe(0);
    const result = await runInProcess(['--read-db', 'read/bank.db', 'projections', 'run'], {
      cwd: folder.dir,
    });
    expect([result.code, result.stdout, result.stderr]).toEqual([
      5,
      '',
      'error: cannot create the read database read/bank.db: no such folder read\n',
    ]);
  });
});
