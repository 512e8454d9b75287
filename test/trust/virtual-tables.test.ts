import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';

// Virtual tables (FTS5, R*Tree) keep their data in shadow tables that SQLite will not let
// anyone drop on their own: a rebuild must drop, build and swap them through the virtual table.

function notesDomain(version: number): string {
  return `export default {
  deciders: {
    note: {
      category: 'notes',
      commands: ['Note'],
      streamId: () => 'notes',
      initialState: () => ({}),
      evolve: (state) => state,
      decide: () => [],
    },
  },
  projections: [{
    name: 'notes',
    version: ${version},
    setup: [
      'CREATE VIRTUAL TABLE notes_fts USING fts5(body)',
      'CREATE VIRTUAL TABLE boxes USING rtree(id, minX, maxX)',
    ],
    on: {
      Noted: (e) => [
        { sql: 'INSERT INTO notes_fts (body) VALUES (?)', params: [e.data.body] },
        { sql: 'INSERT INTO boxes (id, minX, maxX) VALUES (?, ?, ?)', params: [e.position, e.position, e.position + ${version}] },
      ],
    },
  }],
};
`;
}

describe('a projection with FTS5 and R*Tree tables, on sqlite', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const cli = (args: readonly string[]) =>
    runCli(['--domain', 'domain.mjs', ...args], { cwd: dir });
  const search = async () =>
    JSON.parse(
      (
        await cli([
          'query',
          "SELECT (SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'fox') AS fox, (SELECT max(maxX) FROM boxes) AS top",
          '--json',
        ])
      ).stdout,
    ) as unknown;

  it('builds, rebuilds on request and after a version bump, with the same rows', async () => {
    writeFileSync(join(dir, 'domain.mjs'), notesDomain(1));
    for (const body of ['the quick fox', 'a lazy dog', 'another fox']) {
      expect((await cli(['append', 'notes', 'Noted', JSON.stringify({ body })])).code).toBe(0);
    }
    expect((await cli(['projections', 'run'])).code).toBe(0);
    expect(await search()).toEqual([{ fox: 2, top: 4 }]);

    const rebuilt = await cli(['projections', 'rebuild']);
    expect({ code: rebuilt.code, stderr: rebuilt.stderr }).toEqual({
      code: 0,
      stderr: 'rebuilding projection "notes" from event 1 (asked to)\nnotes: at position 3\n',
    });
    expect(await search()).toEqual([{ fox: 2, top: 4 }]);

    writeFileSync(join(dir, 'domain.mjs'), notesDomain(2));
    const bumped = await cli(['projections', 'run']);
    expect(bumped.code).toBe(0);
    expect(await search()).toEqual([{ fox: 2, top: 5 }]);
    const list = JSON.parse((await cli(['projections', '--json'])).stdout) as { status: string }[];
    expect(list.map((row) => row.status)).toEqual(['ok']);
  });
});
