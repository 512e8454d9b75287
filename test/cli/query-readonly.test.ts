import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { prepareStore } from '../projections/harness.js';
import { runCli } from '../helpers/in-process.js';

/** The CLI in process with the test domain module (see harness.ts for the store it reads). */
const cli = (dir: string, args: readonly string[], input?: string) =>
  runCli(['--domain', 'domain.mjs', ...args], { cwd: dir, input });

describe('query and tables', () => {
  const { dir, cleanup } = tempDir();
  const readDb = join(dir, 'eventlite.read.db');
  const fingerprint = () => createHash('sha256').update(readFileSync(readDb)).digest('hex');
  beforeAll(async () => {
    await prepareStore(dir, 200);
    expect((await cli(dir, ['projections', 'run'])).code).toBe(0);
  });
  afterAll(() => cleanup());

  it('refuses writes, ATTACH, PRAGMA writes and several statements with exit 2, changing nothing', async () => {
    const before = fingerprint();
    // The full list of refusals is in test/projections/query.test.ts; these go end to end.
    const refused = [
      'WITH doomed AS (SELECT 1) DELETE FROM applied',
      "ATTACH DATABASE 'other.db' AS other",
      "VACUUM INTO 'copy.db'",
      'PRAGMA writable_schema = ON',
      'SELECT 1; DELETE FROM applied',
      '',
    ];
    for (const sql of refused) {
      const result = await cli(dir, ['query', sql]);
      expect(result.code, sql).toBe(2);
      expect(result.stderr, sql).toMatch(/^error: query (refused|failed|is empty)[^\n]*\n$/);
      expect(result.stdout).toBe('');
    }
    expect(fingerprint()).toBe(before);
    expect((await cli(dir, ['query', 'SELECT count(*) AS n FROM applied', '--json'])).stdout).toBe(
      '[\n{"n":200}\n]\n',
    );
  });

  it("a query that fails (syntax, unknown table) exits 2 with SQLite's reason", async () => {
    const unknown = await cli(dir, ['query', 'SELECT * FROM nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: query failed: no such table: nowhere\n');
    const syntax = await cli(dir, ['query', 'SELEC 1']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toBe('error: query failed: near "SELEC": syntax error\n');
  });

  it('binds --param NAME=VALUE, numbers as numbers, and reads the SQL from stdin with -', async () => {
    // "007" stays text: a leading zero says it is a code, not a number.
    const sql =
      "SELECT account_id, :min AS min, typeof(:ratio) AS r, typeof(:code) AS c FROM account_summary WHERE deposits >= :min AND account_id IN ('a1', 'a2') ORDER BY account_id";
    const params = ['--param', 'min=2', '--param', 'ratio=1.5', '--param', 'code=007'];
    const result = await cli(dir, ['query', '-', ...params, '--format', 'ndjson'], sql);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      '{"account_id":"a1","min":2,"r":"real","c":"text"}\n{"account_id":"a2","min":2,"r":"real","c":"text"}\n',
    );
    const text = await cli(dir, [
      'query',
      'SELECT :label AS label',
      '--param',
      'label=hello=world',
      '--json',
    ]);
    expect(text.stdout).toBe('[\n{"label":"hello=world"}\n]\n');
    const bad = await cli(dir, ['query', 'SELECT 1', '--param', 'no-equals']);
    expect(bad.code).toBe(2);
    const missing = await cli(dir, ['query', 'SELECT :nope']);
    expect(missing.code).toBe(2);
  });

  it('prints csv and tsv with a header, keeps JSON text as text unless --json-cols', async () => {
    const sql = `SELECT 'a,"b"' AS tricky, json_object('k', 1) AS doc`;
    expect((await cli(dir, ['query', sql, '--format', 'csv'])).stdout).toBe(
      'tricky,doc\n"a,""b""","{""k"":1}"\n',
    );
    expect((await cli(dir, ['query', sql, '--format', 'tsv'])).stdout).toBe(
      'tricky\tdoc\na,"b"\t{"k":1}\n',
    );
    expect((await cli(dir, ['query', sql, '--json'])).stdout).toBe(
      '[\n{"tricky":"a,\\"b\\"","doc":"{\\"k\\":1}"}\n]\n',
    );
    expect((await cli(dir, ['query', sql, '--json', '--json-cols'])).stdout).toBe(
      '[\n{"tricky":"a,\\"b\\"","doc":{"k":1}}\n]\n',
    );
    expect((await cli(dir, ['query', 'SELECT 1 WHERE 0', '--json'])).stdout).toBe('[]\n');
  });

  it('tables lists read tables with row counts and owner, in every format', async () => {
    const json = await cli(dir, ['tables', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'account_summary', type: 'table', rows: 50, projection: 'account_summary' },
      { name: 'applied', type: 'table', rows: 200, projection: 'account_summary' },
    ]);
    expect((await cli(dir, ['tables', '--format', 'csv'])).stdout).toBe(
      'name,type,rows,projection\naccount_summary,table,50,account_summary\napplied,table,200,account_summary\n',
    );
  });

  it('query and tables without a read database exit 5 with a hint', async () => {
    const { dir: empty, cleanup: done } = tempDir();
    try {
      for (const args of [['query', 'SELECT 1'], ['tables']]) {
        const result = await cli(empty, args);
        expect(result.code).toBe(5);
        expect(result.stderr).toBe(
          'error: no read database at eventlite.read.db yet (build it with "eventlite projections run")\n',
        );
      }
    } finally {
      done();
    }
  });
});
