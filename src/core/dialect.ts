// SQL that differs between the backends. Wherever a projection gives SQL text (a setup or
// views entry, a materialized view's query, a handler statement's `sql`) it may give one text
// per dialect instead of one for both. The projection stays data: the read store resolves the
// text for its own dialect with sqlFor, at the moment it runs it.

export type Dialect = 'sqlite' | 'postgres';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** One text per dialect, for SQL that the two backends spell differently. */
export interface PerDialectSql {
  readonly sqlite: string;
  readonly postgres: string;
}

/** SQL text that both backends take, or one text per backend. */
export type DialectSql = string | PerDialectSql;

/**
 * The text of `sql` for `dialect`. Throws a TypeError naming what is missing when `sql` is
 * neither a string nor an object with a string for that dialect (user code is not type-checked
 * at run time, and a handler builds its statements while the batch runs).
 */
export function sqlFor(sql: DialectSql, dialect: Dialect): string {
  if (typeof sql === 'string') return sql;
  const text = (sql as unknown as Record<string, unknown> | null | undefined)?.[dialect];
  if (typeof text === 'string') return text;
  throw new TypeError(
    `no SQL for ${dialect}: give the SQL as a string or as { sqlite: '…', postgres: '…' }`,
  );
}

/**
 * The same SQL with the per-dialect texts in a fixed key order and nothing else, so that a
 * definition hash does not depend on the order its author wrote `postgres` and `sqlite` in.
 * A plain string is returned as it is: the hashes of projections that use only plain strings
 * stay what they were before per-dialect SQL existed.
 */
export function canonicalSql(sql: DialectSql): DialectSql {
  return typeof sql === 'string' ? sql : { sqlite: sql.sqlite, postgres: sql.postgres };
}
