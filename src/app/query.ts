import type { QueryPages, QueryParams, QueryResult, ReadTable } from '../core/ports.js';
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

/** The read tables and views with their row counts and owning projection. */
export function listTables(ctx: ReadContext): Promise<ReadTable[]> {
  return readStoreOf(ctx).tables();
}
