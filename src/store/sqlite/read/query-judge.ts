import { InputError } from '../../../core/errors.js';
import { newDatabase } from '../open.js';
import { prepareReadOnly, REFUSED } from './query.js';

// `eventlite query` before there is a read database (before the first `projections run`):
// the statement is judged all the same, so that a write is refused (exit 2) whether or not
// the read models exist yet, rather than told they do not (exit 5).

/** Statements that write or change the connection, by their first word. */
const WRITERS = new Set(
  (
    'insert replace update delete create drop alter attach detach vacuum reindex analyze ' +
    'begin commit end rollback savepoint release'
  ).split(' '),
);
/** The words that can start the statement a WITH clause leads to. */
const MAIN_STATEMENTS = new Set(['select', 'values', 'insert', 'replace', 'update', 'delete']);

/**
 * Prepares the statement on an empty database, as the read database would prepare it, and
 * throws what the read database would (InputError): a syntax error, more than one statement, a
 * statement that writes. A statement that names a table the empty database has not is judged
 * by its words instead: its first, or after WITH, the statement the WITH leads to.
 */
export function judgeSqliteQuery(sql: string): void {
  const db = newDatabase(':memory:');
  try {
    prepareReadOnly(db, sql, 'the query');
    if (analyzes(sql)) throw new InputError(REFUSED);
  } catch (error) {
    const missing = /^query failed: no such (table|column|function|module|collation)/;
    if (!(error instanceof InputError) || !missing.test(error.message)) throw error;
    if (writesBySight(sql)) throw new InputError(REFUSED);
  } finally {
    db.close();
  }
}

/**
 * SQLite calls `pragma_optimize` read-only, and it runs ANALYZE: the read database's
 * read-only connection refuses it as it runs, but on an empty database it has nothing to do.
 */
function analyzes(sql: string): boolean {
  return scanWords(sql).all.includes('pragma_optimize');
}

function writesBySight(sql: string): boolean {
  if (analyzes(sql)) return true;
  const words = scanWords(sql).outer;
  const main = words[0] === 'with' ? words.find((word) => MAIN_STATEMENTS.has(word)) : words[0];
  return main !== undefined && WRITERS.has(main);
}

/**
 * The words of the text, lower-cased, skipping comments, strings and quoted names: all of
 * them, and those outside parentheses.
 */
function scanWords(sql: string): { outer: string[]; all: string[] } {
  const words: string[] = [];
  const all: string[] = [];
  let depth = 0;
  let at = 0;
  const skipTo = (close: string, from: number) => {
    const end = sql.indexOf(close, from);
    return end < 0 ? sql.length : end + close.length;
  };
  while (at < sql.length) {
    const char = sql[at]!;
    if (sql.startsWith('--', at)) at = skipTo('\n', at);
    else if (sql.startsWith('/*', at)) at = skipTo('*/', at + 2);
    // A doubled quote inside is two quoted runs back to back: skipped all the same.
    else if (char === "'" || char === '"' || char === '`') at = skipTo(char, at + 1);
    else if (char === '[') at = skipTo(']', at + 1);
    else if (char === '(' || char === ')') {
      depth += char === '(' ? 1 : -1;
      at += 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(at, at + 64))![0];
      if (depth === 0) words.push(word.toLowerCase());
      all.push(word.toLowerCase());
      at += word.length;
    } else at += 1;
  }
  return { outer: words, all };
}
