import { InputError } from '../../../core/errors.js';
import type { QueryParams } from '../../../core/ports.js';
import { DEFAULT_READ_SCHEMA } from './store.js';
import { openReadConnection, withClient } from './connection.js';
import { machineFailure } from './errors.js';
import { prepareQuery, READ_ONLY_ONLY } from './query-guard.js';
import { isCode, statements, tokenize } from './sql-text.js';

// `eventlite query` before there are read models (before the first `projections run`): the
// statement is judged all the same, so that a write or a syntax error is refused (exit 2)
// whether or not the read models exist yet, rather than told they do not (exit 5).

/** What can start the statement that a WITH clause leads to, and which of those write. */
const MAIN_STATEMENTS = new Set([
  'select',
  'values',
  'table',
  'insert',
  'update',
  'delete',
  'merge',
]);
const MODIFYING = new Set(['insert', 'update', 'delete', 'merge']);
/** The server's words for a name it cannot find: here, most likely a read table not built yet. */
const NOT_THERE = new Set(['42P01', '42703', '42883', '42704', '3F000', '42P18']);

/**
 * The text's refusals (read-query-guard.ts); by sight, what the read-only transaction would
 * refuse once the server had found the tables (a data-modifying WITH, SELECT INTO, SELECT …
 * FOR UPDATE); then the server parses it (PREPARE in a read-only transaction: nothing runs),
 * for its syntax. A name the server cannot find is left for the caller to report.
 */
export async function judgePostgresQuery(
  url: string,
  schema: string | undefined,
  sql: string,
  params: QueryParams = {},
): Promise<void> {
  const bound = prepareQuery(sql, params);
  if (writesBySight(sql)) throw new InputError(READ_ONLY_ONLY);
  const connection = openReadConnection(url, schema ?? DEFAULT_READ_SCHEMA);
  try {
    await withClient(connection, async (client) => {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL search_path TO ${connection.quotedSchema}`);
      try {
        await client.query(`PREPARE eventlite_judged AS\n${bound.text}`);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        const machine = machineFailure(error, connection.target);
        if (machine && code !== '42501') throw machine;
        if (!NOT_THERE.has(code)) throw new InputError(`query failed: ${(error as Error).message}`);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  } finally {
    await connection.pool.end();
  }
}

function writesBySight(sql: string): boolean {
  const code = (statements(tokenize(sql))[0] ?? []).filter(isCode);
  const words = code.map((token) => (token.kind === 'word' ? token.text.toLowerCase() : ''));
  const withClause = words[0] === 'with';
  let depth = 0;
  let main: string | undefined;
  for (const [index, token] of code.entries()) {
    const word = words[index]!;
    if (token.kind === 'other' && token.text === '(') depth += 1;
    else if (token.kind === 'other' && token.text === ')') depth -= 1;
    // WITH name AS [NOT] [MATERIALIZED] (DELETE …)
    const body = index >= 2 && code[index - 1]!.text === '(' ? words[index - 2] : '';
    if (MODIFYING.has(word) && (body === 'as' || body === 'materialized')) return true;
    const next = words.slice(index + 1, index + 4).join(' ');
    if (word === 'for' && /^(update|share|no key update|key share)\b/.test(next)) return true;
    if (word === 'into' && depth === 0) return true;
    if (withClause && depth === 0 && main === undefined && MAIN_STATEMENTS.has(word)) main = word;
  }
  return main !== undefined && MODIFYING.has(main);
}
