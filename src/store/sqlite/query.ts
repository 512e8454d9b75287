import { EventliteError, InputError } from '../../core/errors.js';
import type { QueryParams, QueryResult } from '../../core/ports.js';
import { missingParamMessage, POSITIONAL_PARAMS_HINT } from '../../core/query-param.js';
import { translateSqliteError } from './errors.js';
import type { Db } from './statements.js';

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

function prepareReadOnly(db: Db, sql: string, path: string) {
  if (sql.trim() === '') throw new InputError('query is empty: give one SQL statement');
  // SQLite stops reading at a NUL: whatever follows would be dropped without a word.
  if (sql.includes('\0')) throw new InputError('query refused: it contains a NUL character');
  const statement = queryFailure(path, () => db.prepare(sql));
  if (!statement.reader || !statement.readonly) {
    throw new InputError(
      'query refused: only a read-only statement that returns rows (SELECT, WITH … SELECT, read-only PRAGMA) may run here',
    );
  }
  return statement;
}

function queryFailure<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
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
