import type pg from 'pg';
import type { PgTarget } from './connection.js';
import { InputError } from '../../core/errors.js';
import type { QueryParams, QueryResult } from '../../core/ports.js';
import {
  isDeadlock,
  quote,
  retryDeadlocks,
  withClient,
  type ReadConnection,
} from './read-connection.js';
import { asStoreError, machineFailure } from './read-errors.js';
import { bindParameters, type BoundSql } from './read-params.js';
import {
  calledFunctions,
  firstKeyword,
  isCode,
  statements,
  tokenize,
  type Token,
} from './read-sql-text.js';

// `eventlite query` on PostgreSQL. Locks, from the outside in:
//
// 1. The text: exactly one statement, which starts with SELECT, WITH, VALUES, TABLE, EXPLAIN or
//    SHOW. That turns away what a read-only transaction would still run: SET and RESET (the
//    session, or SET ROLE back to the connecting role), LISTEN/NOTIFY, DO, CALL, COPY (TO a file
//    or a PROGRAM on the server), PREPARE/EXECUTE, LOCK, DISCARD, LOAD, VACUUM, CHECKPOINT and
//    transaction control. It also refuses calls of functions that act outside the transaction
//    (see REFUSED_FUNCTIONS) and U&"…" identifiers, whose escapes could hide such a name.
// 2. The transaction: BEGIN READ ONLY refuses every write, also in a CTE, through SELECT INTO,
//    SELECT … FOR UPDATE or nextval(); it has a statement_timeout and is always rolled back.
// 3. The role: by default a query runs as the connecting role, and then it can still READ
//    whatever that role can: the event store's schema (`eventlite.events`), other schemas,
//    pg_catalog and the statistics views (other sessions' SQL text for a superuser), and for
//    a superuser or a member of pg_read_server_files, server files through functions and
//    extensions that the function list below cannot foresee. With `queryRole`, the query runs
//    after SET LOCAL ROLE as a role granted only USAGE on the read schema and SELECT on its
//    tables: it cannot reach the event store at all. The strongest setup connects for queries
//    as a LOGIN role with only those grants (`--read-db postgres://reader@…`).

const ALLOWED_STATEMENTS = new Set(['select', 'with', 'values', 'table', 'explain', 'show']);

/**
 * Every other word a PostgreSQL statement can start with. A first word in neither list cannot
 * start a statement at all: the server is left to say so (`query failed: syntax error …`), as
 * SQLite does for `SELEC 1`.
 */
const OTHER_STATEMENTS = new Set(
  (
    'abort alter analyse analyze begin call checkpoint close cluster comment commit copy create ' +
    'deallocate declare delete discard do drop end execute fetch grant import insert listen load ' +
    'lock merge move notify prepare reassign refresh reindex release reset revoke rollback ' +
    'savepoint security set start truncate unlisten update vacuum'
  ).split(' '),
);

const READ_ONLY_ONLY =
  'query refused: only a read-only statement that returns rows (SELECT, WITH … SELECT, read-only PRAGMA) may run here';

/** Functions whose effect outlives a rolled-back read-only transaction, or that run SQL text. */
const REFUSED_FUNCTIONS = new Set([
  'set_config', // set_config('role', …) would undo SET LOCAL ROLE
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_switch_wal',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_log_backend_memory_contexts',
  'pg_import_system_collations',
  'pg_replication_slot_advance',
  'pg_notify',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'query_to_xml', // these four run a query given as text
  'query_to_xml_and_xmlschema',
  'ts_stat',
  'ts_rewrite',
]);
const REFUSED_PREFIXES = [
  'pg_advisory_', // session locks outlive the transaction and would block runners
  'pg_try_advisory_',
  'pg_backup_',
  'pg_create_',
  'pg_drop_replication',
  'pg_copy_',
  'pg_logical_',
  'pg_replication_origin_',
  'pg_wal_replay_',
  'pg_stat_reset',
  'pg_ls_',
  'pg_file_', // adminpack
  'lo_', // large objects: lo_import and lo_export read and write server files
  'dblink',
  'cursor_to_xml',
];

/** Checks the text and binds `:name` parameters; throws InputError. */
export function prepareQuery(sql: string, params: QueryParams = {}): BoundSql {
  if (sql.trim() === '') throw new InputError('query is empty: give one SQL statement');
  if (sql.includes('\0')) throw new InputError('query refused: it contains a NUL character');
  const found = statements(tokenize(sql));
  const statement = found[0];
  if (!statement) throw new InputError('query is empty: give one SQL statement');
  if (found.length > 1) throw new InputError('query refused: give exactly one SQL statement');
  const keyword = firstKeyword(statement) ?? '';
  if (!ALLOWED_STATEMENTS.has(keyword) && OTHER_STATEMENTS.has(keyword)) {
    throw new InputError(READ_ONLY_ONLY);
  }
  if (statement.some((token) => token.kind === 'unicode-quoted')) {
    throw new InputError('query refused: U&"…" identifiers are not accepted here');
  }
  for (const name of calledFunctions(statement)) {
    if (REFUSED_FUNCTIONS.has(name) || REFUSED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      throw new InputError(`query refused: ${name}() acts outside a read-only query`);
    }
  }
  const code = statement.filter(isCode);
  const first = code[0] as Token;
  const last = code[code.length - 1] as Token;
  try {
    return bindParameters(sql.slice(first.start, last.end), params);
  } catch (error) {
    throw new InputError(`query failed: ${(error as Error).message}`);
  }
}

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
    throw isDeadlock(error) ? error : queryFailure(error, target);
  }
  try {
    await rollback;
  } catch (error) {
    throw asStoreError(error, target);
  }
  return { columns: result.fields.map((field) => field.name), rows: result.rows };
}

function queryFailure(error: unknown, target: PgTarget): unknown {
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
  return new InputError(`query failed: ${(error as Error).message}`);
}
