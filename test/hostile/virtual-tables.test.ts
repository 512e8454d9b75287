import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// Virtual tables (FTS5, R*Tree) keep their data in shadow tables that SQLite will not let
// anyone drop on their own: a rebuild must drop, build and swap them through the virtual table.

function notesDomain(version: number): string {
  return `export default {
  deciders: {
    note: {
      category: 'notes',
      streamId: () => 'notes',
      initialState: () => ({}),
      evolve: (state) => state,
      decide: { Note: () => [] },
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
    runInProcess(['--domain', 'domain.mjs', ...args], { cwd: dir });
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

// PostgreSQL has no virtual tables; what a projection may create beside its tables there (a
// SERIAL column's sequence, indexes, views) must rebuild and swap as cleanly.
function pgNotesDomain(version: number): string {
  return `export default {
  deciders: {
    note: {
      category: 'notes',
      streamId: () => 'notes',
      initialState: () => ({}),
      evolve: (state) => state,
      decide: { Note: () => [] },
    },
  },
  projections: [{
    name: 'notes',
    version: ${version},
    setup: [
      'CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT NOT NULL, weight INTEGER NOT NULL)',
      'CREATE INDEX notes_body ON notes (body)',
    ],
    views: ['CREATE VIEW heavy_notes AS SELECT id, body FROM notes WHERE weight > 1'],
    on: {
      Noted: (e) => [
        { sql: 'INSERT INTO notes (body, weight) VALUES (:body, :weight)', params: { body: e.data.body, weight: ${version} } },
      ],
    },
  }],
};
`;
}

describe.each(backends().filter((backend) => backend.name === 'postgres'))(
  'a projection with a SERIAL column, an index and a view, on $name',
  (backend) => {
    const { dir, cleanup } = tempDir();
    let store: StoreUnderTest;
    beforeAll(async () => {
      store = await backend.freshStore();
    });
    afterAll(async () => {
      await store.cleanup();
      cleanup();
    });
    const cli = (args: readonly string[]) =>
      runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
    const rows = async () => {
      const result = await cli([
        'query',
        "SELECT (SELECT string_agg(id::text, ',' ORDER BY id) FROM notes) AS ids, (SELECT count(*)::int FROM heavy_notes) AS heavy",
        '--json',
      ]);
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as unknown;
    };

    it('rebuilds on request and after a version bump, the sequence starting again at 1', async () => {
      writeFileSync(join(dir, 'domain.mjs'), pgNotesDomain(1));
      for (const body of ['a', 'b', 'c']) {
        expect((await cli(['append', 'notes', 'Noted', JSON.stringify({ body })])).code).toBe(0);
      }
      expect((await cli(['projections', 'run'])).code).toBe(0);
      expect(await rows()).toEqual([{ ids: '1,2,3', heavy: 0 }]);
      expect((await cli(['projections', 'rebuild'])).code).toBe(0);
      expect(await rows()).toEqual([{ ids: '1,2,3', heavy: 0 }]);
      writeFileSync(join(dir, 'domain.mjs'), pgNotesDomain(2));
      expect((await cli(['projections', 'run'])).code).toBe(0);
      expect(await rows()).toEqual([{ ids: '1,2,3', heavy: 3 }]);
      expect((await cli(['projections', 'rebuild'])).code).toBe(0);
      expect(await rows()).toEqual([{ ids: '1,2,3', heavy: 3 }]);
      const tables = JSON.parse((await cli(['tables', '--json'])).stdout) as { name: string }[];
      expect(tables.map((table) => table.name).sort()).toEqual(['heavy_notes', 'notes']);
    });
  },
);
