import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../../src/core/errors.js';
import { runQuery as runAppQuery } from '../../src/app/query.js';
import type { QueryParams } from '../../src/core/ports.js';
import { parseQueryParam } from '../../src/core/query-param.js';
import { openSqliteReadStore } from '../../src/store/sqlite/index.js';
import { openReadDatabase } from '../../src/store/sqlite/read/schema.js';
import { tempDir } from '../helpers/cli.js';

describe('runQuery', () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'read.db');
  const storePath = join(dir, 'store.db');

  /** As `eventlite query` runs it: the read store opened read-only, one statement, closed. */
  async function runQuery(readDbPath: string, sql: string, params?: QueryParams) {
    const read = openSqliteReadStore({ readDbPath, storePath }, { mode: 'read' });
    try {
      return await runAppQuery({ read, readLocation: readDbPath }, sql, params);
    } finally {
      await read?.close();
    }
  }

  beforeAll(() => {
    const db = openReadDatabase({ readDbPath: path, storePath });
    db.exec(`CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y');`);
    db.close();
  });
  afterAll(() => cleanup());

  it.each([
    'UPDATE t SET a = 3',
    "INSERT INTO t VALUES (3, 'z')",
    "REPLACE INTO t VALUES (3, 'z')",
    'WITH c AS (SELECT 1) DELETE FROM t',
    "WITH c AS (SELECT 1) INSERT INTO t SELECT 9, 'q' FROM c",
    'CREATE TABLE u (a)',
    'CREATE TEMP TABLE u (a)',
    'DROP TABLE t',
    'ALTER TABLE t ADD COLUMN c',
    "ATTACH DATABASE ':memory:' AS other",
    'DETACH DATABASE main',
    "VACUUM INTO '/tmp/never.db'",
    'VACUUM',
    'REINDEX',
    'ANALYZE',
    'PRAGMA user_version = 3',
    'PRAGMA writable_schema = ON',
    'PRAGMA query_only = OFF',
    'PRAGMA journal_mode = DELETE',
    'BEGIN',
    'SAVEPOINT s',
    'SELECT 1; SELECT 2',
    'SELECT 1; DROP TABLE t',
  ])('refuses %s', async (sql) => {
    await expect(runQuery(path, sql)).rejects.toThrow(InputError);
    expect((await runQuery(path, 'SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 2 }]);
  });

  it('refuses load_extension(): the SQL function stays disabled', async () => {
    await expect(runQuery(path, "SELECT load_extension('/tmp/evil')")).rejects.toThrow(
      'query failed: not authorized',
    );
  });

  it('runs one read-only statement, with a trailing semicolon or comment, and returns its columns', async () => {
    expect(await runQuery(path, 'SELECT a, b FROM t ORDER BY a; -- done')).toEqual({
      columns: ['a', 'b'],
      rows: [
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ],
    });
    expect((await runQuery(path, 'PRAGMA table_info(t)')).rows).toHaveLength(2);
    expect((await runQuery(path, 'SELECT b FROM t WHERE a = :a', { a: 2 })).rows).toEqual([
      { b: 'y' },
    ]);
  });

  it('reports a missing read database as not found', async () => {
    await expect(runQuery(join(dir, 'nope.db'), 'SELECT 1')).rejects.toThrow(NotFoundError);
  });
});

describe('parseQueryParam', () => {
  it('binds numbers as numbers and everything else as text', () => {
    expect(parseQueryParam('n=42')).toEqual({ n: 42 });
    expect(parseQueryParam('x=-1.5e3')).toEqual({ x: -1500 });
    expect(parseQueryParam('zip=007')).toEqual({ zip: '007' });
    expect(parseQueryParam('big=12345678901234567890')).toEqual({ big: '12345678901234567890' });
    expect(parseQueryParam('s=a=b')).toEqual({ s: 'a=b' });
    expect(parseQueryParam('empty=')).toEqual({ empty: '' });
    expect(parseQueryParam('b=2', { a: 1 })).toEqual({ a: 1, b: 2 });
  });

  it('refuses a missing = or a name that is not an identifier', () => {
    expect(() => parseQueryParam('novalue')).toThrow('--param must be NAME=VALUE');
    expect(() => parseQueryParam('1a=2')).toThrow(InputError);
    expect(() => parseQueryParam('=2')).toThrow(InputError);
  });
});
