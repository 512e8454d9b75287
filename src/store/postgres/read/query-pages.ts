import type pg from 'pg';
import type { PgTarget } from '../connection.js';
import { InputError } from '../../../core/errors.js';
import type { QueryPages } from '../../../core/ports.js';
import { checkout, isDeadlock, retryDeadlocks, type ReadConnection } from './connection.js';
import { asStoreError, machineFailure } from './errors.js';
import type { BoundSql } from './params.js';
import { beginQuery, endQuery, queryFailure, runQuery, type QueryOptions } from './query.js';
import { firstKeyword, statements, tokenize } from './sql-text.js';

// `eventlite query`'s rows a page at a time on PostgreSQL, through a cursor in the same
// transaction, with the same locks (query.ts), and a deadline on the whole of it.

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
        release(!(await endQuery(client)));
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
    if (!released) release(!(await endQuery(client)));
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
    if (!handedOver) client.release(!(await endQuery(client)));
  }
}

async function* onePage(
  rows: Record<string, unknown>[],
): AsyncGenerator<Record<string, unknown>[]> {
  if (rows.length > 0) yield rows;
}
