import type pg from 'pg';
import type { PgTarget } from '../connection.js';
import { InputError } from '../../../core/errors.js';
import type { QueryResult } from '../../../core/ports.js';
import { POSITIONAL_PARAMS_HINT } from '../../../core/query-param.js';
import { READ_ONLY_ONLY } from './query-guard.js';
import { checkout, isDeadlock, retryDeadlocks, type ReadConnection } from './connection.js';
import { asStoreError, machineFailure } from './errors.js';
import type { BoundSql } from './params.js';
import { tokenize } from './sql-text.js';

// `eventlite query` on PostgreSQL. Locks, from the outside in:
//
// 1. The text (query-guard.ts, before any connection): exactly one statement, which starts with
//    SELECT, WITH, VALUES, TABLE, EXPLAIN or SHOW. That turns away what a read-only
//    transaction would still run: SET and RESET, LISTEN/NOTIFY, DO, CALL, COPY, PREPARE/EXECUTE,
//    LOCK, DISCARD, LOAD, VACUUM, CHECKPOINT and transaction control. It also refuses calls of
//    functions that act outside the transaction and U&"…" identifiers, whose escapes could hide
//    such a name. The text is read as the server reads it (sql-text.ts).
// 2. The transaction: BEGIN READ ONLY refuses every write, also in a CTE, through SELECT INTO,
//    SELECT … FOR UPDATE or nextval(); it is always rolled back, and it lasts at most the
//    statement timeout, fetches and the wait for the reader between them included: a reader
//    that stops reading must not hold the tables' locks (a rebuild's swap waits for them).
// 3. The role (query-session.ts): the session logs in as a role that may read the read models
//    and nothing else, not the store's events, no server files, no other sessions, and no
//    SET ROLE back to a stronger one. Whatever slips past 1 is refused by the server.

/** A query's time limit unless the store is opened with another. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

export interface QueryOptions {
  /** The limit on the query's whole transaction, and so on each statement in it. */
  statementTimeoutMs: number;
}

export async function runQuery(
  connection: ReadConnection,
  bound: BoundSql,
  options: QueryOptions,
): Promise<QueryResult> {
  try {
    return await retryDeadlocks(async () => {
      const client = await checkout(connection);
      let ended = false;
      try {
        const result = await runOnce(client, connection, bound, options);
        ended = true;
        return result;
      } finally {
        client.release(!(ended || (await endQuery(client))));
      }
    });
  } catch (error) {
    throw isDeadlock(error) ? machineFailure(error, connection.target) : error;
  }
}

/**
 * Rolls back, and lets go of any session advisory lock the query took: the session goes back
 * to the pool as it came. (Every other trace a query could leave, a setting changed with
 * set_config say, goes with the rollback.)
 */
const END_QUERY = 'ROLLBACK; SELECT pg_advisory_unlock_all()';

/** Ends a query's transaction (END_QUERY); false when the connection cannot even do that. */
export async function endQuery(client: pg.ClientBase): Promise<boolean> {
  try {
    await client.query(END_QUERY);
    return true;
  } catch {
    return false;
  }
}

/**
 * The transaction's first statements, written back to back (one round trip): read-only, the
 * time limit on each statement and on idling in between, the read schema first in the path.
 */
export function beginQuery(
  client: pg.ClientBase,
  connection: ReadConnection,
  limitMs: number,
): Promise<unknown>[] {
  return [
    client.query('BEGIN READ ONLY'),
    client.query(`SET LOCAL statement_timeout = ${limitMs}`),
    client.query(`SET LOCAL idle_in_transaction_session_timeout = ${limitMs}`),
    client.query(`SET LOCAL search_path TO ${connection.quotedSchema}`),
  ];
}

/** One try; a deadlock comes out raw, for retryDeadlocks to see. */
async function runOnce(
  client: pg.ClientBase,
  connection: ReadConnection,
  bound: BoundSql,
  options: QueryOptions,
): Promise<QueryResult> {
  const { target } = connection;
  const setup = beginQuery(client, connection, Math.max(1, Math.floor(options.statementTimeoutMs)));
  const query = client.query({
    text: bound.text,
    values: bound.values,
    // The extended protocol, even without parameters: the server itself refuses a second
    // statement, should one slip past the check above.
    queryMode: 'extended',
  } as pg.QueryConfig);
  const rollback = client.query(END_QUERY);
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

export function queryFailure(error: unknown, target: PgTarget, text: string): unknown {
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
