import { EventliteError, InputError } from '../../../core/errors.js';
import type { QueryPages, QueryParams, QueryResult } from '../../../core/ports.js';
import { missingParamMessage, POSITIONAL_PARAMS_HINT } from '../../../core/query-param.js';
import { translateSqliteError } from '../errors.js';
import type { Db, Statement } from '../statements.js';

/**
 * Runs one read-only statement against the read database. Three locks, each enough alone for
 * most cases: a read-only connection with `query_only` (SQLite refuses any write to the file);
 * better-sqlite3 refuses more than one statement; and the statement must be one that returns
 * rows without writing (`stmt.reader && stmt.readonly`), which turns away INSERT/UPDATE/DELETE
 * (also inside a CTE), DDL, ATTACH/DETACH, VACUUM INTO, BEGIN, and PRAGMAs that set something.
 * `load_extension()` stays disabled as an SQL function (SQLite's default).
 */
export function runQuery(db: Db, path: string, sql: string, params: QueryParams = {}): QueryResult {
  const statement = prepareReadOnly(db, sql, path);
  const columns = statement.columns().map((column) => column.name);
  // Bound as an object even when empty, so that a missing :name is named in the message.
  const rows = queryFailure(path, () => {
    try {
      return statement.all(params);
    } catch (error) {
      // A statement with no named parameters takes no object at all.
      if (Object.keys(params).length === 0 && /Too many parameter values/.test(String(error))) {
        return statement.all();
      }
      throw error;
    }
  }) as Record<string, unknown>[];
  return { columns, rows };
}

/**
 * The same statement through a cursor (`stmt.iterate()`), a page at a time: memory stays flat
 * in the result's size. The first page is read before this returns, so that a refusal or a
 * failure of the statement comes before any output. The cursor keeps the connection busy
 * until the pages are read to the end or the loop over them is left.
 */
export function runQueryPages(
  db: Db,
  path: string,
  sql: string,
  params: QueryParams = {},
  pageSize: number,
): QueryPages {
  const statement = prepareReadOnly(db, sql, path);
  const columns = statement.columns().map((column) => column.name);
  const iterator = queryFailure(path, () => {
    try {
      return statement.iterate(params);
    } catch (error) {
      if (Object.keys(params).length === 0 && /Too many parameter values/.test(String(error))) {
        return statement.iterate();
      }
      throw error;
    }
  }) as IterableIterator<Record<string, unknown>>;
  const size = Math.max(1, Math.floor(pageSize));
  const nextPage = (): Record<string, unknown>[] =>
    queryFailure(path, () => {
      const page: Record<string, unknown>[] = [];
      while (page.length < size) {
        const next = iterator.next();
        if (next.done === true) break;
        page.push(next.value);
      }
      return page;
    });
  let first: Record<string, unknown>[];
  try {
    first = nextPage();
  } catch (error) {
    iterator.return?.();
    throw error;
  }
  async function* pages(): AsyncGenerator<Record<string, unknown>[]> {
    try {
      let page = first;
      while (page.length > 0) {
        yield page;
        if (page.length < size) break;
        page = nextPage();
      }
    } finally {
      iterator.return?.();
    }
  }
  return { columns, pages: pages() };
}

export function prepareReadOnly(db: Db, sql: string, path: string): Statement {
  if (sql.trim() === '') throw new InputError('query is empty: give one SQL statement');
  // SQLite stops reading at a NUL: whatever follows would be dropped without a word.
  if (sql.includes('\0')) throw new InputError('query refused: it contains a NUL character');
  const statement = queryFailure(path, () => db.prepare(sql));
  if (!statement.reader || !statement.readonly) throw new InputError(REFUSED);
  return statement;
}

export const REFUSED =
  'query refused: only a read-only statement that returns rows (SELECT, WITH … SELECT, read-only PRAGMA) may run here';

function queryFailure<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    // A statement SQLite called read-only that still tried to write, which the read-only
    // connection stopped: `SELECT * FROM pragma_optimize` runs ANALYZE. Refused, as a write
    // is, not a failure of the file (the extended READONLY codes are the file's own trouble).
    if ((error as { code?: unknown }).code === 'SQLITE_READONLY') throw new InputError(REFUSED);
    const translated = translateSqliteError(error, path);
    if (translated instanceof EventliteError) throw translated;
    const message = error instanceof Error ? error.message : String(error);
    if (/more than one statement/.test(message)) {
      throw new InputError('query refused: give exactly one SQL statement');
    }
    if (/contains no statements/.test(message)) {
      throw new InputError('query is empty: give one SQL statement');
    }
    const missing = /^Missing named parameter "(.*)"$/.exec(message);
    if (missing) throw new InputError(missingParamMessage(missing[1]!));
    if (/Too few parameter values/.test(message)) {
      throw new InputError(`query failed: ${POSITIONAL_PARAMS_HINT}`);
    }
    throw new InputError(`query failed: ${message}`);
  }
}
