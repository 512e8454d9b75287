import type { QueryParams, QueryResult, ReadTable } from '../core/ports.js';
import { readStoreOf, type ReadContext } from './context.js';

/** One read-only SQL statement against the read models; writes are refused (InputError). */
export function runQuery(
  ctx: ReadContext,
  sql: string,
  params: QueryParams = {},
): Promise<QueryResult> {
  return readStoreOf(ctx).query(sql, params);
}

/** The read tables and views with their row counts and owning projection. */
export function listTables(ctx: ReadContext): Promise<ReadTable[]> {
  return readStoreOf(ctx).tables();
}
