import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareStoreOn, runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// What `query` shows beyond its rows: NULL told apart from the empty string, an empty result
// said on stderr, and parameter mistakes (`?` copied from an article, a :name with no value)
// answered with what to do instead; on each backend.

describe.each(backends())('query on $name', (backend) => {
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

  const NULL_AND_EMPTY = "SELECT NULL AS a, '' AS b, 'x' AS c";

  it('CSV writes NULL as an empty field and the empty string as ""', async () => {
    const result = await cli(['query', NULL_AND_EMPTY, '--format', 'csv']);
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'a,b,c\n,"",x\n', '']);
  });

  it('TSV writes NULL as \\N', async () => {
    const result = await cli(['query', NULL_AND_EMPTY, '--format', 'tsv']);
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'a\tb\tc\n\\N\t\tx\n', '']);
  });

  it('a table shows NULL, and the empty string as nothing', async () => {
    const result = await cli(['query', NULL_AND_EMPTY, '--format', 'table']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      0,
      '┌──────┬───┬───┐\n' +
        '│ a    │ b │ c │\n' +
        '├──────┼───┼───┤\n' +
        '│ NULL │   │ x │\n' +
        '└──────┴───┴───┘\n',
      '',
    ]);
  });

  it('an empty result as a table says "no rows" on stderr', async () => {
    const sql = "SELECT account_id FROM account_summary WHERE account_id = 'nobody'";
    const table = await cli(['query', sql, '--format', 'table']);
    expect([table.code, table.stdout, table.stderr]).toEqual([0, '', 'no rows\n']);
    const quiet = await cli(['--quiet', 'query', sql, '--format', 'table']);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', '']);
    const json = await cli(['query', sql, '--json']);
    expect([json.code, json.stdout, json.stderr]).toEqual([0, '[]\n', '']);
  });

  it('a :name with no value is named, with the flag that gives it one', async () => {
    const sql = 'SELECT balance FROM account_summary WHERE account_id = :id';
    const result = await cli(['query', sql, '--param', 'other=1']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      'error: query failed: no value for :id; give --param id=VALUE\n',
    ]);
  });

  it('a ? placeholder gets a hint to name the parameter', async () => {
    const sql = 'SELECT balance FROM account_summary WHERE account_id = ?';
    const result = await cli(['query', sql, '--param', 'id=a1']);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(
      backend.name === 'sqlite'
        ? 'error: query failed: ? placeholders are not bound here: name each parameter (WHERE id = :id) and give --param id=VALUE\n'
        : 'error: query failed: syntax error at end of input; ? placeholders are not bound here: name each parameter (WHERE id = :id) and give --param id=VALUE\n',
    );
  });
});

describe('query --help', () => {
  it('does not show an empty object as the default of --param', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const result = await runInProcess(['query', '--help'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('bind :name (repeatable); numbers bind as numbers\n');
      expect(result.stdout).not.toContain('(default: {})');
    } finally {
      cleanup();
    }
  });
});
