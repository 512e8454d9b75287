import type pg from 'pg';
import type { PgTarget } from '../connection.js';
import { InputError } from '../../../core/errors.js';
import type { QueryPages, QueryResult } from '../../../core/ports.js';
import { POSITIONAL_PARAMS_HINT } from '../../../core/query-param.js';
import { READ_ONLY_ONLY } from './query-guard.js';
import {
  isDeadlock,
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
  bound: BoundSql,
  options: QueryOptions,
  pageSize: number,
): Promise<QueryPages> {
  const keyword = firstKeyword(statements(tokenize(bound.text))[0] ?? []) ?? '';
  const whole = async (): Promise<QueryPages> => {
    const result = await runQuery(connection, bound, options);
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
  return { columns: opened.columns, pages: cursorPages(opened, connection.target, bound, size) };
}

interface OpenCursor {
  client: pg.PoolClient;
  columns: string[];
  first: Record<string, unknown>[];
  /** When the transaction must be over (Date.now() time), and the limit that sets it. */
  deadline: number;
  limitMs: number;
}

/**
 * The cursor's pages, its transaction ended by the deadline however slowly they are read: a
 * timer ends the session if the reader has stalled (a pipe nobody empties), each fetch may
 * run only for the time left, and the server's idle timeout ends the session should this
 * process stop. A result that fits in one page ends its transaction before it is handed out.
 */
async function* cursorPages(
  cursor: OpenCursor,
  target: PgTarget,
  bound: BoundSql,
  size: number,
): AsyncGenerator<Record<string, unknown>[]> {
  const { client, deadline, limitMs } = cursor;
  let expired = false;
  let released = false;
  const release = (destroy: boolean) => {
    if (released) return;
    released = true;
    client.release(destroy);
  };
  const timer = setTimeout(
    () => {
      expired = true;
      release(true);
    },
    Math.max(0, deadline - Date.now()),
  );
  try {
    let page = cursor.first;
    while (page.length > 0) {
      if (page.length < size) {
        release(!(await isIdle(client)));
        yield page;
        return;
      }
      yield page;
      const left = deadline - Date.now();
      if (expired || left <= 0) throw pastTheLimit(limitMs);
      try {
        const [, fetched] = (await client.query(
          `SET LOCAL statement_timeout = ${left}; FETCH ${size} FROM eventlite_query`,
        )) as unknown as pg.QueryResult[];
        page = fetched!.rows as Record<string, unknown>[];
      } catch (error) {
        // Ended by the timer, or by the server's idle timeout while this process was stuck.
        if (expired || Date.now() >= deadline) throw pastTheLimit(limitMs);
        throw isDeadlock(error)
          ? machineFailure(error, target)
          : queryFailure(error, target, bound.text);
      }
    }
  } finally {
    clearTimeout(timer);
    if (!released) release(!(await isIdle(client)));
  }
}

function pastTheLimit(limitMs: number): InputError {
  return new InputError(
    `query failed: it ran past its limit of ${limitMs / 1000} s, counting the time its rows waited to be read`,
  );
}

/** Opens the cursor and fetches its first page; undefined when DECLARE refuses the statement. */
async function openCursor(
  connection: ReadConnection,
  bound: BoundSql,
  options: QueryOptions,
  size: number,
): Promise<OpenCursor | undefined> {
  const { target } = connection;
  const started = Date.now();
  const client = await checkout(connection);
  let handedOver = false;
  try {
    const limitMs = Math.max(1, Math.floor(options.statementTimeoutMs));
    const setup = beginQuery(client, connection, limitMs);
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
      deadline: started + limitMs,
      limitMs,
    };
  } finally {
    if (!handedOver) client.release(!(await isIdle(client)));
  }
}

/**
 * The transaction's first statements, written back to back (one round trip): read-only, the
 * time limit on each statement and on idling in between, the read schema first in the path.
 */
function beginQuery(
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
  const { target } = connection;
  const setup = beginQuery(client, connection, Math.max(1, Math.floor(options.statementTimeoutMs)));
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
