import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultReadDb,
  prepareStoreOn,
  readFingerprint,
  readModelsExist,
  runOn,
  shown,
  storeFingerprint,
} from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// `query` and `tables` on each backend, over the store that harness.ts's prepareStore makes
// (200 bank events, the test domain module). Where a test's SQL needs an engine's own functions
// or its own error text, each backend gets its own; the outputs compared are the same bytes.

/** What differs between the engines: their functions, their error text. */
const DIALECTS = {
  sqlite: {
    unknownTable: 'error: query failed: no such table: nowhere\n',
    syntaxError: 'error: query failed: near "SELEC": syntax error\n',
    /** Parameter types as the engine sees them: numbers are real, "007" text. */
    paramTypes:
      "SELECT account_id, :min AS min, typeof(:ratio) AS r, typeof(:code) AS c FROM account_summary WHERE deposits >= :min AND account_id IN ('a1', 'a2') ORDER BY account_id",
    paramTypesOut: [
      '{"account_id":"a1","min":2,"r":"real","c":"text"}',
      '{"account_id":"a2","min":2,"r":"real","c":"text"}',
    ],
    /** A column that holds JSON text, made by the engine. */
    jsonDoc: "json_object('k', 1)",
    noRows: 'SELECT 1 WHERE 0',
    /** Hostile statements of this engine alone, besides the common list. */
    refusedToo: [
      // Table-valued pragma functions that SQLite calls read-only but that write (ANALYZE).
      'SELECT * FROM pragma_optimize',
      'SELECT * FROM pragma_optimize(0x10002)',
    ] as string[],
    /** JSON text nested 100,000 levels deep, made by the engine. */
    deepJson:
      "SELECT replace(hex(zeroblob(100000)), '00', '[') || replace(hex(zeroblob(100000)), '00', ']') AS deep, json_array(1) AS doc",
  },
  postgres: {
    unknownTable: 'error: query failed: relation "nowhere" does not exist\n',
    syntaxError: 'error: query failed: syntax error at or near "SELEC"\n',
    paramTypes:
      "SELECT account_id, :min + 0 AS min, :ratio + 0.0 AS r, :code::text AS c FROM account_summary WHERE deposits >= :min AND account_id IN ('a1', 'a2') ORDER BY account_id",
    paramTypesOut: [
      '{"account_id":"a1","min":2,"r":1.5,"c":"007"}',
      '{"account_id":"a2","min":2,"r":1.5,"c":"007"}',
    ],
    jsonDoc: `'{"k":1}'::json`,
    noRows: 'SELECT 1 WHERE false',
    refusedToo: [
      'SELECT 1 INTO evil',
      'SELECT * FROM applied FOR UPDATE',
      'WITH gone AS (DELETE FROM eventlite.events RETURNING 1) SELECT * FROM gone',
      'CREATE TABLE evil AS SELECT 1',
      'COPY applied TO STDOUT',
      'DO $$BEGIN DELETE FROM applied; END$$',
      'SET ROLE postgres',
      "SELECT set_config('search_path', 'public', false)",
      'SELECT pg_advisory_lock(1)',
      'TRUNCATE applied',
      'BEGIN',
    ],
    deepJson: "SELECT repeat('[', 100000) || repeat(']', 100000) AS deep, '[1]' AS doc",
  },
} as const;

describe.each(backends())('query and tables on $name', (backend) => {
  const dialect = DIALECTS[backend.name];
  const { dir, cleanup } = tempDir();
  let store: StoreUnderTest;
  let readDb: string;
  /** The CLI in process with the test domain module, on this backend's store. */
  const cli = (args: readonly string[], input?: string) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir, input });
  /** The read models and the event store, to compare before and after. */
  const fingerprint = async () => {
    const exported = await cli(['export']);
    expect(exported.code).toBe(0);
    return {
      read: await readFingerprint(readDb, dir),
      store: await storeFingerprint(store.db, dir),
      events: exported.stdout,
    };
  };
  beforeAll(async () => {
    store = await backend.freshStore();
    readDb = defaultReadDb(store.db);
    await prepareStoreOn(store, dir, 200);
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterAll(async () => {
    await store.cleanup();
    cleanup();
  });

  // The full list of refusals is in test/projections/query.test.ts; these go end to end.
  const refused = [
    'DELETE FROM account_summary',
    'WITH doomed AS (SELECT 1) DELETE FROM applied',
    "ATTACH DATABASE 'other.db' AS other",
    "VACUUM INTO 'copy.db'",
    'PRAGMA writable_schema = ON',
    'SELECT 1; DELETE FROM applied',
    '',
    ...dialect.refusedToo,
  ];

  it('refuses writes, ATTACH, PRAGMA writes and several statements with exit 2, changing nothing', async () => {
    const before = await fingerprint();
    for (const sql of refused) {
      const result = await cli(['query', sql]);
      expect(result.code, sql).toBe(2);
      expect(result.stderr, sql).toMatch(/^error: query (refused|failed|is empty)[^\n]*\n$/);
      expect(result.stdout).toBe('');
    }
    expect(await fingerprint()).toEqual(before);
    expect((await cli(['query', 'SELECT count(*) AS n FROM applied', '--json'])).stdout).toBe(
      '[\n{"n":200}\n]\n',
    );
  });

  it("a query that fails (syntax, unknown table) exits 2 with the engine's reason", async () => {
    const unknown = await cli(['query', 'SELECT * FROM nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(dialect.unknownTable);
    const syntax = await cli(['query', 'SELEC 1']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toBe(dialect.syntaxError);
  });

  it('binds --param NAME=VALUE, numbers as numbers, and reads the SQL from stdin with -', async () => {
    // "007" stays text: a leading zero says it is a code, not a number.
    const params = ['--param', 'min=2', '--param', 'ratio=1.5', '--param', 'code=007'];
    const result = await cli(['query', '-', ...params, '--format', 'ndjson'], dialect.paramTypes);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(dialect.paramTypesOut.map((line) => `${line}\n`).join(''));
    const text = await cli([
      'query',
      'SELECT :label AS label',
      '--param',
      'label=hello=world',
      '--json',
    ]);
    expect(text.stdout).toBe('[\n{"label":"hello=world"}\n]\n');
    const bad = await cli(['query', 'SELECT 1', '--param', 'no-equals']);
    expect(bad.code).toBe(2);
    const missing = await cli(['query', 'SELECT :nope']);
    expect(missing.code).toBe(2);
  });

  it('gives the same bytes on both engines for the same parameterised statement', async () => {
    const params = ['--param', 'min=2', '--param', 'ratio=1.5', '--param', 'code=007'];
    const run = async (sql: string) => {
      const result = await cli(['query', sql, ...params, '--format', 'ndjson']);
      return [result.code, result.stderr, result.stdout];
    };
    // A parameter as a column: the value as given, a number as a number.
    expect
      .soft(await run('SELECT :min AS min, :ratio AS ratio, :code AS code'))
      .toEqual([0, '', '{"min":2,"ratio":1.5,"code":"007"}\n']);
    // One parameter both shown and compared, as the SQLite test above does.
    expect
      .soft(
        await run(
          "SELECT account_id, :min AS min FROM account_summary WHERE deposits >= :min AND account_id IN ('a1', 'a2') ORDER BY account_id",
        ),
      )
      .toEqual([0, '', '{"account_id":"a1","min":2}\n{"account_id":"a2","min":2}\n']);
  });

  it('prints csv and tsv with a header, keeps JSON text as text unless --json-cols', async () => {
    const sql = `SELECT 'a,"b"' AS tricky, ${dialect.jsonDoc} AS doc`;
    expect((await cli(['query', sql, '--format', 'csv'])).stdout).toBe(
      'tricky,doc\n"a,""b""","{""k"":1}"\n',
    );
    expect((await cli(['query', sql, '--format', 'tsv'])).stdout).toBe(
      'tricky\tdoc\na,"b"\t{"k":1}\n',
    );
    expect((await cli(['query', sql, '--json'])).stdout).toBe(
      '[\n{"tricky":"a,\\"b\\"","doc":"{\\"k\\":1}"}\n]\n',
    );
    expect((await cli(['query', sql, '--json', '--json-cols'])).stdout).toBe(
      '[\n{"tricky":"a,\\"b\\"","doc":{"k":1}}\n]\n',
    );
    expect((await cli(['query', dialect.noRows, '--json'])).stdout).toBe('[]\n');
  });

  it('--json-cols keeps JSON text nested deeper than 512 levels as text, and prints the rest', async () => {
    // Parsed, it could not be printed (JSON.stringify would overflow the stack): such a value
    // is kept as the text it is, as text that is not JSON is; the other columns are parsed.
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const format of ['ndjson', 'json', 'csv']) {
      const result = await cli(['query', '-', '--json-cols', '--format', format], dialect.deepJson);
      expect([result.code, result.stderr], format).toEqual([0, '']);
      const expected = {
        ndjson: `${JSON.stringify({ deep, doc: [1] })}\n`,
        json: `[\n${JSON.stringify({ deep, doc: [1] })}\n]\n`,
        csv: `deep,doc\n${deep},[1]\n`,
      }[format];
      expect(result.stdout === expected, format).toBe(true);
    }
  });

  it('tables lists read tables with row counts and owner, in every format', async () => {
    const json = await cli(['tables', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'account_summary', type: 'table', rows: 50, projection: 'account_summary' },
      { name: 'applied', type: 'table', rows: 200, projection: 'account_summary' },
    ]);
    expect((await cli(['tables', '--format', 'csv'])).stdout).toBe(
      'name,type,rows,projection\naccount_summary,table,50,account_summary\napplied,table,200,account_summary\n',
    );
  });

  it('judges the statement first: before the first projections run, a write or a syntax error exits 2 as after', async () => {
    const { dir: empty, cleanup: done } = tempDir();
    const other = await backend.otherStore('eventlite.db');
    try {
      const otherReadDb = defaultReadDb(other.db);
      const early = (args: readonly string[]) => runOn(other, args, { cwd: empty });
      expect((await early(['init'])).code).toBe(0);
      for (const sql of [...refused, 'SELEC 1']) {
        const before = await early(['query', sql]);
        const after = await cli(['query', sql]);
        expect([before.code, after.code], sql).toEqual([2, 2]);
        expect(before.stderr, sql).toMatch(/^error: query (refused|failed|is empty)[^\n]*\n$/);
        expect(before.stdout).toBe('');
      }
      // A statement that only reads is still told that there is nothing to read yet.
      const reads = await early(['query', 'SELECT * FROM account_summary']);
      expect([reads.code, reads.stderr]).toEqual([
        5,
        `error: no read database at ${shown(otherReadDb)} yet (build it with "eventlite projections run")\n`,
      ]);
      expect(await readModelsExist(otherReadDb, empty)).toBe(false);
    } finally {
      await other.cleanup();
      done();
    }
  });

  it('query and tables without a read database exit 5 with a hint, creating nothing', async () => {
    const { dir: empty, cleanup: done } = tempDir();
    const other = await backend.otherStore('eventlite.db');
    try {
      const otherReadDb = defaultReadDb(other.db);
      for (const args of [['query', 'SELECT 1'], ['tables']]) {
        const result = await runOn(other, ['--domain', 'domain.mjs', ...args], { cwd: empty });
        expect(result.code).toBe(5);
        expect(result.stderr).toBe(
          `error: no read database at ${shown(otherReadDb)} yet (build it with "eventlite projections run")\n`,
        );
      }
      expect(await readModelsExist(otherReadDb, empty)).toBe(false);
    } finally {
      await other.cleanup();
      done();
    }
  });
});
