import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { bindParameters } from '../../src/store/postgres/read/params.js';
import { prepareQuery } from '../../src/store/postgres/read/query-guard.js';
import { tokenize } from '../../src/store/postgres/read/sql-text.js';
import { parseInt8, parseNumeric } from '../../src/store/postgres/read/type-parsers.js';

// The PostgreSQL read store's text handling, without a server.

describe('bindParameters', () => {
  it('numbers each distinct :name once, in order of first use', () => {
    expect(
      bindParameters('SELECT :b, :a, :b FROM t WHERE x = :a', { a: 1, b: 'two', unused: 3 }),
    ).toEqual({ text: 'SELECT $1, $2, $1 FROM t WHERE x = $2', values: ['two', 1] });
  });

  it('leaves casts, strings, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = `SELECT :a::text, ':b', E'\\':c', "x:d", $$ :e $$, $tag$ :f $tag$ -- :g
      /* :h /* nested :i */ :j */ , x::int, :k`;
    expect(bindParameters(sql, { a: 1, k: 2 })).toEqual({
      text: sql.replace(':a::', '$1::').replace(', :k', ', $2'),
      values: [1, 2],
    });
  });

  it('names a missing parameter, as better-sqlite3 does', () => {
    expect(() => bindParameters('SELECT :a, :b', { a: 1 })).toThrow('Missing named parameter "b"');
    expect(() => bindParameters('SELECT :a')).toThrow('Missing named parameter "a"');
  });

  it('turns ? into $n only for an array of parameters', () => {
    expect(bindParameters("UPDATE t SET a = ? WHERE b = ? AND c = '?'", [1, 'x'])).toEqual({
      text: "UPDATE t SET a = $1 WHERE b = $2 AND c = '?'",
      values: [1, 'x'],
    });
    // jsonb's ? operator, where no positional parameters are in use
    expect(bindParameters(`SELECT doc ? 'key' FROM t WHERE id = :id`, { id: 7 })).toEqual({
      text: `SELECT doc ? 'key' FROM t WHERE id = $1`,
      values: [7],
    });
    // native $n with an array
    expect(bindParameters('SELECT $2, $1', ['a', 'b'])).toEqual({
      text: 'SELECT $2, $1',
      values: ['a', 'b'],
    });
    expect(() => bindParameters('SELECT ?, ?', [1])).toThrow('Too few parameter values');
    expect(() => bindParameters('SELECT ?', [1, 2])).toThrow('Too many parameter values');
  });

  it('reads $ inside identifiers, and standard strings without backslash escapes', () => {
    expect(bindParameters("SELECT a$b, 'x\\' , :p", { p: 1 })).toEqual({
      text: "SELECT a$b, 'x\\' , $1",
      values: [1],
    });
  });
});

describe('prepareQuery', () => {
  const refused = (sql: string) => {
    try {
      prepareQuery(sql);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('accepts one read statement, with a trailing semicolon and comments', () => {
    expect(prepareQuery('  SELECT 1 ; -- done\n;')).toEqual({ text: 'SELECT 1', values: [] });
    // Numbers are typed (int8, float8) so they come back as numbers, as on SQLite; text is not.
    expect(prepareQuery('(SELECT :x)', { x: 1 })).toEqual({
      text: '(SELECT $1::int8)',
      values: [1],
    });
    expect(prepareQuery('SELECT :x, :y, :x', { x: 1.5, y: 'a' })).toEqual({
      text: 'SELECT $1::float8, $2, $1::float8',
      values: [1.5, 'a'],
    });
    for (const sql of [
      'WITH a AS (SELECT 1) SELECT * FROM a',
      'VALUES (1)',
      'TABLE t',
      'EXPLAIN SELECT 1',
      'SHOW search_path',
    ]) {
      expect(refused(sql)).toBe('accepted');
    }
  });

  it('does not mistake a semicolon in a string or comment for a second statement', () => {
    expect(refused("SELECT ';' /* ; */ -- ;\n")).toBe('accepted');
    expect(refused('SELECT $$;$$')).toBe('accepted');
    expect(refused('SELECT 1; SELECT 2')).toBe('query refused: give exactly one SQL statement');
  });

  it('leaves a first word that starts no statement to the server (a syntax error)', () => {
    expect(refused('SELEC 1')).toBe('accepted');
    expect(refused('DELETE FROM t')).toMatch(/^query refused: only a read-only statement/);
    expect(refused('(DELETE FROM t)')).toMatch(/^query refused: only a read-only statement/);
  });

  it('refuses functions that act outside the transaction however they are written', () => {
    expect(refused('SELECT PG_TERMINATE_BACKEND (1)')).toBe(
      'query refused: pg_terminate_backend() acts outside a read-only query',
    );
    expect(refused('SELECT pg_catalog . pg_advisory_lock(1)')).toMatch(/pg_advisory_lock\(\)/);
    expect(refused('SELECT pg_advisory_xact_lock(1)')).toMatch(/^query refused/);
    expect(refused("SELECT \"set_config\"('role', 'x', true)")).toMatch(/set_config\(\)/);
    // a column or a string with such a name is not a call
    expect(refused("SELECT 'pg_terminate_backend(1)', set_config_column FROM t")).toBe('accepted');
  });
});

describe('the scanner reads the text as the server does', () => {
  const refusedCall = 'query refused: pg_read_file() acts outside a read-only query';
  const refusal = (sql: string) => {
    try {
      prepareQuery(sql);
      return 'accepted';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it.each([
    ['a line comment ended by \\r', "SELECT 1 --\r, pg_read_file('/etc/hostname') AS f\n, 2"],
    ['a line comment ended by \\r\\n', "SELECT 1 --\r\n, pg_read_file('/etc/hostname') AS f"],
    ['a nested block comment', "SELECT 1 /* a /* b */ c */, pg_read_file('/etc/hostname') AS f"],
    ['a dollar quote after a number', "SELECT 1$a$ x $a$, pg_read_file('/etc/hostname') AS f"],
    ['a tagged dollar quote', "SELECT $q$ $a$ ' $q$, pg_read_file('/etc/hostname') AS f"],
    [
      'an E string continued on the next line',
      "SELECT E'a'\n'\\' , ' , pg_read_file('/etc/hostname') AS f --'",
    ],
    ['an e string after a number', "SELECT 1e'\\' , ' , pg_read_file('/etc/hostname') AS f --'"],
    ['a parameter before a dollar quote', "SELECT $1$a$ x $a$, pg_read_file('/etc/hostname') AS f"],
  ])('sees a call after %s', (_, sql) => {
    expect(refusal(sql)).toBe(refusedCall);
  });

  it('ends a line comment at \\r, and a string where a doubled quote or a backslash does not', () => {
    const kinds = (sql: string) =>
      tokenize(sql)
        .filter((token) => token.kind !== 'space')
        .map((token) => `${token.kind}:${sql.slice(token.start, token.end)}`);
    expect(kinds('a --x\ry')).toEqual(['word:a', 'comment:--x', 'word:y']);
    expect(kinds("'it''s' '\\' E'\\'' x'")).toEqual([
      "string:'it''s'",
      "string:'\\'",
      "string:E'\\''",
      "string:x'",
    ]);
    expect(kinds("'a' -- note\n 'b' c")).toEqual(["string:'a' -- note\n 'b'", 'word:c']);
    expect(kinds("'a' 'b'")).toEqual(["string:'a'", "string:'b'"]);
    expect(kinds('1.5e3 .5 1e x$y$ $2')).toEqual([
      'word:1.5e3',
      'word:.5',
      'word:1',
      'word:e',
      'word:x$y$',
      'word:$2',
    ]);
    expect(kinds('/* a /* b */ c */ d')).toEqual(['comment:/* a /* b */ c */', 'word:d']);
    expect(kinds('\u00a0x')).toEqual(['word:\u00a0x']);
  });
});

describe('type parsers', () => {
  it('int8: a number while exact, else its text', () => {
    expect(parseInt8('42')).toBe(42);
    expect(parseInt8('-9007199254740991')).toBe(-9007199254740991);
    expect(parseInt8('9007199254740993')).toBe('9007199254740993');
  });

  it('numeric: a number when nothing but trailing zeros is lost', () => {
    expect(parseNumeric('10.00')).toBe(10);
    expect(parseNumeric('12.50')).toBe(12.5);
    expect(parseNumeric('-0.25')).toBe(-0.25);
    expect(parseNumeric('100')).toBe(100);
    expect(parseNumeric('0.1000000000000000055511')).toBe('0.1000000000000000055511');
    expect(parseNumeric('12345678901234567890')).toBe('12345678901234567890');
    expect(parseNumeric('NaN')).toBe('NaN');
  });
});
