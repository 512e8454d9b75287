import { NotFoundError } from '../core/errors.js';
import type { QueryPages, QueryParams, QueryResult, ReadColumn, ReadTable } from '../core/ports.js';
import { readStoreOf, type ReadContext } from './context.js';

/** One read-only SQL statement against the read models; writes are refused (InputError). */
export async function runQuery(
  ctx: ReadContext,
  sql: string,
  params: QueryParams = {},
): Promise<QueryResult> {
  if (!ctx.read) await ctx.judgeQuery?.(sql, params);
  return readStoreOf(ctx).query(sql, params);
}

/**
 * The same statement, its rows a page at a time (memory stays flat in the result's size).
 * Iterate the pages to the end or leave the loop before the read store is closed.
 */
export async function runQueryPages(
  ctx: ReadContext,
  sql: string,
  params: QueryParams = {},
): Promise<QueryPages> {
  // The statement is judged first: a write is refused whether or not read models exist yet.
  if (!ctx.read) await ctx.judgeQuery?.(sql, params);
  return readStoreOf(ctx).queryPages(sql, params);
}

/** The read tables and views (or those named) with their row counts and owning projection. */
export async function listTables(
  ctx: ReadContext,
  names: readonly string[] = [],
): Promise<ReadTable[]> {
  return only(await readStoreOf(ctx).tables(), (table) => table.name, names);
}

/** The columns of the read tables and views (or of those named), with their types. */
export async function listColumns(
  ctx: ReadContext,
  names: readonly string[] = [],
): Promise<ReadColumn[]> {
  return only(await readStoreOf(ctx).columns(), (column) => column.table, names);
}

/** The items of the named tables, all when none is named; a name of no table is NotFound. */
function only<T>(items: T[], tableOf: (item: T) => string, names: readonly string[]): T[] {
  if (names.length === 0) return items;
  const known = new Set(items.map(tableOf));
  const missing = names.find((name) => !known.has(name));
  if (missing !== undefined) {
    throw new NotFoundError(`no read table or view named "${missing}" (see "eventlite tables")`);
  }
  return items.filter((item) => names.includes(tableOf(item)));
}
