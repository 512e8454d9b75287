import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareStoreOn, runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// Tables for people, on each backend: laid out from the first page of rows (1000) as they
// stream, a wider value later widening its column from its page on; every control character
// from the data escaped; and `--format markdown` for handouts.

/** Rows 1..count: `label` is 'v' except past row 1000, where it is wider than its header. */
const widerAfterFirstPage = (count: number) =>
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
   SELECT i, CASE WHEN i > 1000 THEN 'a wider value' ELSE 'v' END AS label FROM n ORDER BY i`;

describe.each(backends())('tables on $name', (backend) => {
  const { dir, cleanup } = tempDir();
  let store: StoreUnderTest;
  const cli = (args: readonly string[]) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
  beforeAll(async () => {
    store = await backend.freshStore();
    await prepareStoreOn(store, dir, 20);
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterAll(async () => {
    await store.cleanup();
    cleanup();
  });

  it('lays a table out from its first page; a wider value later widens its column under a rule', async () => {
    const result = await cli(['query', widerAfterFirstPage(1002), '--format', 'table']);
    const firstPage = Array.from(
      { length: 1000 },
      (_, index) => `│ ${String(index + 1).padEnd(4)} │ v     │\n`,
    ).join('');
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      '┌──────┬───────┐\n' +
        '│ i    │ label │\n' +
        '├──────┼───────┤\n' +
        firstPage +
        '├──────┼───────────────┤\n' +
        '│ 1001 │ a wider value │\n' +
        '│ 1002 │ a wider value │\n' +
        '└──────┴───────────────┘\n',
    );
  });

  const HOSTILE =
    "SELECT 'x\u001b]0;pwned\u0007y' AS \"t\u001b[2J\", 'one\ntwo\ttab\u009b31m\u007f' AS b";

  it('escapes control characters in values and column names', async () => {
    const result = await cli(['query', HOSTILE, '--format', 'table']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      '┌────────────────────────┬──────────────────────────────┐\n' +
        '│ t\\u001b[2J             │ b                            │\n' +
        '├────────────────────────┼──────────────────────────────┤\n' +
        '│ x\\u001b]0;pwned\\u0007y │ one\\ntwo\\ttab\\u009b31m\\u007f │\n' +
        '└────────────────────────┴──────────────────────────────┘\n',
    );
  });

  it('markdown: a GitHub table, pipes, backslashes and line breaks escaped, NULL empty', async () => {
    const sql = "SELECT 'a|b' AS \"x|y\", NULL AS n, 'two\nlines' AS t, 'back\\slash' AS s";
    const result = await cli(['query', sql, '--format', 'markdown']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      '| x\\|y | n   | t            | s           |\n' +
        '| ---- | --- | ------------ | ----------- |\n' +
        '| a\\|b |     | two<br>lines | back\\\\slash |\n',
    );
  });

  it('markdown escapes control characters too, and a result of no rows is its header', async () => {
    const hostile = await cli(['query', HOSTILE, '--format', 'markdown']);
    expect(hostile.stdout).toBe(
      '| t\\u001b[2J             | b                              |\n' +
        '| ---------------------- | ------------------------------ |\n' +
        '| x\\u001b]0;pwned\\u0007y | one<br>two\\ttab\\u009b31m\\u007f |\n',
    );
    const none = await cli([
      'query',
      "SELECT account_id, balance FROM account_summary WHERE account_id = 'nobody'",
      '--format',
      'markdown',
    ]);
    expect([none.code, none.stdout, none.stderr]).toEqual([
      0,
      '| account_id | balance |\n| ---------- | ------- |\n',
      '',
    ]);
  });

  it('markdown lays out from the first page; a wider value later runs on', async () => {
    const result = await cli(['query', widerAfterFirstPage(1001), '--format', 'markdown']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['| i    | label |', '| ---- | ----- |', '| 1    | v     |']);
    expect(lines.slice(-2)).toEqual(['| 1001 | a wider value |', '']);
  });

  it('tables prints through the same renderers', async () => {
    const markdown = await cli(['tables', '--format', 'markdown']);
    expect([markdown.code, markdown.stdout, markdown.stderr]).toEqual([
      0,
      '| name            | type  | rows | projection      |\n' +
        '| --------------- | ----- | ---- | --------------- |\n' +
        '| account_summary | table | 20   | account_summary |\n' +
        '| applied         | table | 20   | account_summary |\n',
      '',
    ]);
    const table = await cli(['tables', '--format', 'table']);
    expect([table.code, table.stdout, table.stderr]).toEqual([
      0,
      '┌─────────────────┬───────┬──────┬─────────────────┐\n' +
        '│ name            │ type  │ rows │ projection      │\n' +
        '├─────────────────┼───────┼──────┼─────────────────┤\n' +
        '│ account_summary │ table │ 20   │ account_summary │\n' +
        '│ applied         │ table │ 20   │ account_summary │\n' +
        '└─────────────────┴───────┴──────┴─────────────────┘\n',
      '',
    ]);
  });

  it('tables --columns shows each column and its type, for all tables or those named', async () => {
    // SQLite shows types as declared and lets NULL into a primary key that is not an INTEGER
    // one; PostgreSQL names its types in lower case.
    const [text, integer, keyNullable] =
      backend.name === 'sqlite' ? ['TEXT', 'INTEGER', 'true'] : ['text', 'integer', 'false'];
    const csv = await cli(['tables', '--columns', '--format', 'csv']);
    expect([csv.code, csv.stdout, csv.stderr]).toEqual([
      0,
      'table,column,type,nullable\n' +
        `account_summary,account_id,${text},${keyNullable}\n` +
        `account_summary,owner,${text},true\n` +
        `account_summary,balance,${integer},false\n` +
        `account_summary,deposits,${integer},false\n` +
        `applied,position,${integer},false\n` +
        `applied,stream,${text},false\n`,
      '',
    ]);
    const named = await cli(['tables', 'applied', '--columns', '--format', 'table']);
    expect([named.code, named.stdout, named.stderr]).toEqual([
      0,
      '┌─────────┬──────────┬─────────┬──────────┐\n' +
        '│ table   │ column   │ type    │ nullable │\n' +
        '├─────────┼──────────┼─────────┼──────────┤\n' +
        `│ applied │ position │ ${integer.padEnd(7)} │ false    │\n` +
        `│ applied │ stream   │ ${text.padEnd(7)} │ false    │\n` +
        '└─────────┴──────────┴─────────┴──────────┘\n',
      '',
    ]);
    const listed = await cli(['tables', 'applied', '--format', 'csv']);
    expect(listed.stdout).toBe('name,type,rows,projection\napplied,table,20,account_summary\n');
    const unknown = await cli(['tables', 'nowhere', '--columns']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([
      5,
      '',
      'error: no read table or view named "nowhere" (see "eventlite tables")\n',
    ]);
  });
});
