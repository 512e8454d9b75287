import { describe, expect, it } from 'vitest';
import { canonicalSql, sqlFor } from '../../src/core/dialect.js';
import { materializedViewQuery } from '../../src/core/projection.js';

describe('per-dialect SQL', () => {
  const both = { sqlite: "strftime('%Y-%m', at)", postgres: "to_char(at, 'YYYY-MM')" };

  it('gives a string to every dialect and a per-dialect text to its own', () => {
    expect(sqlFor('SELECT 1', 'sqlite')).toBe('SELECT 1');
    expect(sqlFor('SELECT 1', 'postgres')).toBe('SELECT 1');
    expect(sqlFor(both, 'sqlite')).toBe(both.sqlite);
    expect(sqlFor(both, 'postgres')).toBe(both.postgres);
  });

  it('names the dialect whose text is missing', () => {
    expect(() => sqlFor({ sqlite: 'SELECT 1' } as never, 'postgres')).toThrow(
      "no SQL for postgres: give the SQL as a string or as { sqlite: '…', postgres: '…' }",
    );
    expect(() => sqlFor(undefined as never, 'sqlite')).toThrow(/^no SQL for sqlite/);
  });

  it('puts the texts in one key order for hashing, and leaves strings alone', () => {
    const reversed = { postgres: both.postgres, sqlite: both.sqlite };
    expect(JSON.stringify(canonicalSql(reversed))).toBe(JSON.stringify(canonicalSql(both)));
    expect(canonicalSql('SELECT 1')).toBe('SELECT 1');
  });

  it("takes a materialized view's query without trailing semicolons", () => {
    const view = { name: 'v', query: { sqlite: 'SELECT 1 ;\n', postgres: 'SELECT 2;;' } };
    expect(materializedViewQuery(view, 'sqlite')).toBe('SELECT 1');
    expect(materializedViewQuery(view, 'postgres')).toBe('SELECT 2');
  });
});
