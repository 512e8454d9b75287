import type pg from 'pg';
import type { PgTarget } from './connection.js';
import { InputError } from '../../core/errors.js';
import type { QueryParams, QueryResult } from '../../core/ports.js';
import { POSITIONAL_PARAMS_HINT } from '../../core/query-param.js';
import { prepareQuery, READ_ONLY_ONLY } from './read-query-guard.js';
import {
  isDeadlock,
  quote,
  retryDeadlocks,
  withClient,
  type ReadConnection,
} from './read-connection.js';
import { asStoreError, machineFailure } from './read-errors.js';
import type { BoundSql } from './read-params.js';
import { tokenize } from './read-sql-text.js';

// `eventlite query` on PostgreSQL. Locks, from the outside in:
//
// 1. The text: exactly one statement, which starts with SELECT, WITH, VALUES, TABLE, EXPLAIN or
//    SHOW. That turns away what a read-only transaction would still run: SET and RESET (the
//    session, or SET ROLE back to the connecting role), LISTEN/NOTIFY, DO, CALL, COPY (TO a file
//    or a PROGRAM on the server), PREPARE/EXECUTE, LOCK, DISCARD, LOAD, VACUUM, CHECKPOINT and
//    transaction control. It also refuses calls of functions that act outside the transaction
//    (see read-query-guard.ts) and U&"…" identifiers, whose escapes could hide such a name.
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
