import { InputError } from '../../../core/errors.js';
import type { QueryParams } from '../../../core/ports.js';
import { missingParamMessage } from '../../../core/query-param.js';
import { bindParameters, type BoundSql } from './params.js';
import {
  calledFunctions,
  firstKeyword,
  isCode,
  statements,
  tokenize,
  type Token,
} from './sql-text.js';

// The first lock on `eventlite query` (query.ts has the whole picture): the text itself.

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

export const READ_ONLY_ONLY =
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
    return bindParameters(sql.slice(first.start, last.end), params, { typeNumbers: true });
  } catch (error) {
    const missing = /^Missing named parameter "(.*)"$/.exec((error as Error).message);
    if (missing) throw new InputError(missingParamMessage(missing[1]!));
    throw new InputError(`query failed: ${(error as Error).message}`);
  }
}
