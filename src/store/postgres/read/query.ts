import type pg from 'pg';
import type { PgTarget } from '../connection.js';
import { InputError } from '../../../core/errors.js';
import type { QueryPages, QueryParams, QueryResult } from '../../../core/ports.js';
import { POSITIONAL_PARAMS_HINT } from '../../../core/query-param.js';
import { prepareQuery, READ_ONLY_ONLY } from './query-guard.js';
import {
  isDeadlock,
  quote,
  retryDeadlocks,
  checkout,
  isIdle,
  withClient,
  type ReadConnection,
} from './connection.js';
import { asStoreError, machineFailure } from './errors.js';
import type { BoundSql } from './params.js';
import { firstKeyword, statements, tokenize } from './sql-text.js';

// `eventlite query` on PostgreSQL. Locks, from the outside in:
//
// 1. The text: exactly one statement, which starts with SELECT, WITH, VALUES, TABLE, EXPLAIN or
//    SHOW. That turns away what a read-only transaction would still run: SET and RESET (the
//    session, or SET ROLE back to the connecting role), LISTEN/NOTIFY, DO, CALL, COPY (TO a file
//    or a PROGRAM on the server), PREPARE/EXECUTE, LOCK, DISCARD, LOAD, VACUUM, CHECKPOINT and
//    transaction control. It also refuses calls of functions that act outside the transaction
//    (see query-guard.ts) and U&"…" identifiers, whose escapes could hide such a name.
// 2. The transaction: BEGIN READ ONLY refuses every write, also in a CTE, through SELECT INTO,
//    SELECT … FOR UPDATE or nextval(); it has a statement_timeout and is always rolled back.
// 3. The role: by default a query runs as the connecting role, and then it can still READ
//    whatever that role can: the event store's schema (`eventlite.events`), other schemas,
//    pg_catalog and the statistics views (other sessions' SQL text for a superuser), and for
//    a superuser or a member of pg_read_server_files, server files through functions and
//    extensions that the guard's function list cannot foresee. With `queryRole`, the query runs
//    after SET LOCAL ROLE as a role granted only USAGE on the read schema and SELECT on its
//    tables: it cannot reach the event store at all. The strongest setup connects for queries
//    as a LOGIN role with only those grants (`--read-db postgres://reader@…`).

/** A query's statement_timeout unless the store is opened with another. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

export interface QueryOptions {
  statementTimeoutMs: number;
  queryRole?: string;
}

export async function runQuery(
  connection: ReadConnection,
  sql: string,
  params: QueryParams | undefined,
  options: QueryOptions,
): Promise<QueryResult> {
  const bound = prepareQuery(sql, params);
  try {
    return await retryDeadlocks(() =>
      withClient(connection, (client) => runOnce(client, connection, bound, options)),
    );
  } catch (error) {
    throw isDeadlock(error) ? machineFailure(error, connection.target) : error;
  }
}

/** Statements that DECLARE … CURSOR FOR accepts; EXPLAIN and SHOW run whole (they are short). */
const CURSOR_STATEMENTS = new Set(['select', 'with', 'values', 'table']);

/**
 * The same statement through a SQL cursor (`DECLARE … NO SCROLL CURSOR`, then `FETCH n` until
 * empty) inside the same read-only transaction, timeout, search_path and role: memory stays
 * flat in the result's size. The first page is fetched before this returns, so that refusals
 * and the statement's failures come before any output. The client is held until the pages are
 * read to the end or the loop over them is left; then the transaction is rolled back.
 */
export async function runQueryPages(
  connection: ReadConnection,
  sql: string,
  params: QueryParams | undefined,
  options: QueryOptions,
  pageSize: number,
): Promise<QueryPages> {
  const bound = prepareQuery(sql, params);
  const keyword = firstKeyword(statements(tokenize(bound.text))[0] ?? []) ?? '';
  const whole = async (): Promise<QueryPages> => {
    const result = await runQuery(connection, sql, params, options);
    return { columns: result.columns, pages: onePage(result.rows) };
  };
  if (!CURSOR_STATEMENTS.has(keyword)) return whole();
  const size = Math.max(1, Math.floor(pageSize));
  let opened: OpenCursor | undefined;
  try {
    opened = await retryDeadlocks(() => openCursor(connection, bound, options, size));
  } catch (error) {
    throw isDeadlock(error) ? machineFailure(error, connection.target) : error;
  }
  // DECLARE refused the statement's form (a data-modifying WITH, SELECT INTO): nothing ran;
  // the whole-result path gives the same refusal as before.
  if (opened === undefined) return whole();
  const { client, columns, first } = opened;
  const { target } = connection;
  async function* pages(): AsyncGenerator<Record<string, unknown>[]> {
    let broken = true;
    try {
      let page = first;
      while (page.length > 0) {
        yield page;
        if (page.length < size) break;
        try {
          page = (await client.query(`FETCH ${size} FROM eventlite_query`)).rows;
        } catch (error) {
          throw isDeadlock(error)
            ? machineFailure(error, target)
            : queryFailure(error, target, bound.text);
        }
      }
      broken = !(await isIdle(client));
    } finally {
      if (broken) broken = !(await isIdle(client));
      client.release(broken);
    }
  }
  return { columns, pages: pages() };
}

interface OpenCursor {
  client: pg.PoolClient;
  columns: string[];
  first: Record<string, unknown>[];
}

/** Opens the cursor and fetches its first page; undefined when DECLARE refuses the statement. */
async function openCursor(
  connection: ReadConnection,
  bound: BoundSql,
  options: QueryOptions,
  size: number,
): Promise<OpenCursor | undefined> {
  const { target, quotedSchema: s } = connection;
  const client = await checkout(connection);
  let handedOver = false;
  try {
    const timeout = Math.max(1, Math.floor(options.statementTimeoutMs));
    const setup = [
      client.query('BEGIN READ ONLY'),
      client.query(`SET LOCAL statement_timeout = ${timeout}`),
      client.query(`SET LOCAL search_path TO ${s}`),
    ];
    if (options.queryRole) setup.push(client.query(`SET LOCAL ROLE ${quote(options.queryRole)}`));
    const declare = client.query({
      text: `DECLARE eventlite_query NO SCROLL CURSOR FOR\n${bound.text}`,
      values: bound.values,
      queryMode: 'extended',
    } as pg.QueryConfig);
    declare.catch(() => {});
    try {
      await Promise.all(setup);
    } catch (error) {
      throw asStoreError(error, target);
    }
    try {
      await declare;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '0A000' || code === '42601') return undefined;
      throw isDeadlock(error) ? error : queryFailure(error, target, bound.text);
    }
    let result: pg.QueryResult;
    try {
      result = await client.query(`FETCH ${size} FROM eventlite_query`);
    } catch (error) {
      throw isDeadlock(error) ? error : queryFailure(error, target, bound.text);
    }
    handedOver = true;
    return {
      client,
      columns: result.fields.map((field) => field.name),
      first: result.rows as Record<string, unknown>[],
    };
  } finally {
    if (!handedOver) client.release(!(await isIdle(client)));
  }
}

async function* onePage(
  rows: Record<string, unknown>[],
): AsyncGenerator<Record<string, unknown>[]> {
  if (rows.length > 0) yield rows;
}

/** One try; a deadlock comes out raw, for retryDeadlocks to see. */
async function runOnce(
  client: pg.ClientBase,
  connection: ReadConnection,
  bound: BoundSql,
  options: QueryOptions,
): Promise<QueryResult> {
  const { target, quotedSchema: s } = connection;
  const timeout = Math.max(1, Math.floor(options.statementTimeoutMs));
  // Written back to back: one round trip. Each is awaited in turn below.
  const setup = [
    client.query('BEGIN READ ONLY'),
    client.query(`SET LOCAL statement_timeout = ${timeout}`),
    client.query(`SET LOCAL search_path TO ${s}`),
  ];
  if (options.queryRole) setup.push(client.query(`SET LOCAL ROLE ${quote(options.queryRole)}`));
  const query = client.query({
    text: bound.text,
    values: bound.values,
    // The extended protocol, even without parameters: the server itself refuses a second
    // statement, should one slip past the check above.
    queryMode: 'extended',
  } as pg.QueryConfig);
  const rollback = client.query('ROLLBACK');
  for (const pending of [query, rollback]) pending.catch(() => {});
  try {
    await Promise.all(setup);
  } catch (error) {
    throw asStoreError(error, target);
  }
  let result: pg.QueryResult;
  try {
    result = await query;
  } catch (error) {
    throw isDeadlock(error) ? error : queryFailure(error, target, bound.text);
  }
  try {
    await rollback;
  } catch (error) {
    throw asStoreError(error, target);
  }
  return { columns: result.fields.map((field) => field.name), rows: result.rows };
}

function queryFailure(error: unknown, target: PgTarget, text: string): unknown {
  const code = (error as { code?: unknown }).code;
  // A read-only transaction's refusal, and SELECT … FOR UPDATE's in one.
  if (code === '25006') return new InputError(READ_ONLY_ONLY);
  if (code === '42601' && /multiple commands/.test((error as Error).message)) {
    return new InputError('query refused: give exactly one SQL statement');
  }
  // The statement's own timeout, like its other errors, is the query's failure (exit 2).
  if (code === '57014') return new InputError(`query failed: ${(error as Error).message}`);
  const machine = machineFailure(error, target);
  if (machine && code !== '42501') return machine;
  // `?` is jsonb's operator here, so a statement with one is sent as written; when it then
  // fails to parse (or finds no such operator), it was most likely a placeholder.
  const hint =
    (code === '42601' || code === '42883') &&
    tokenize(text).some((token) => token.kind === 'positional')
      ? `; ${POSITIONAL_PARAMS_HINT}`
      : '';
  return new InputError(`query failed: ${(error as Error).message}${hint}`);
}
