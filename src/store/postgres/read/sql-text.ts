// A small lexer for the SQL that projections and `eventlite query` hand us. It finds exactly
// what the read store needs to know without a parser: where parameters are, where statements
// end, the first keyword, and which functions are called. It skips what may look like those but
// is not: string literals ('…', E'…' with backslash escapes, $tag$…$tag$), quoted identifiers
// ("…", U&"…"), comments (-- and nested /* */) and `::` casts.

export type TokenKind =
  | 'word' // a keyword, unquoted identifier or number
  | 'quoted' // "identifier" (text holds the name, unescaped)
  | 'unicode-quoted' // U&"identifier": its escapes are not decoded
  | 'string' // any string literal
  | 'named' // :name
  | 'positional' // ? (a parameter only where positional parameters are in use)
  | 'semicolon'
  | 'comment'
  | 'space'
  | 'other'; // operators and punctuation, one character at a time

export interface Token {
  kind: TokenKind;
  /** The token's source text; for `quoted`, the identifier; for `named`, the name. */
  text: string;
  start: number;
  end: number;
}

const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  const push = (kind: TokenKind, end: number, text = sql.slice(at, end)) => {
    tokens.push({ kind, text, start: at, end });
    at = end;
  };
  while (at < sql.length) {
    const char = sql[at] as string;
    const next = sql[at + 1];
    if (/\s/.test(char))
      push(
        'space',
        skipWhile(sql, at, (c) => /\s/.test(c)),
      );
    else if (char === '-' && next === '-') push('comment', lineEnd(sql, at));
    else if (char === '/' && next === '*') push('comment', blockCommentEnd(sql, at));
    else if (char === "'") push('string', quotedEnd(sql, at, "'", escapesBackslash(sql, at)));
    else if (char === '"') {
      const end = quotedEnd(sql, at, '"', false);
      push('quoted', end, sql.slice(at + 1, end - 1).replaceAll('""', '"'));
    } else if ((char === 'U' || char === 'u') && next === '&' && sql[at + 2] === '"') {
      push('unicode-quoted', quotedEnd(sql, at + 2, '"', false));
    } else if (char === '$' && DOLLAR_TAG.test(sql.slice(at))) {
      const tag = (DOLLAR_TAG.exec(sql.slice(at)) as RegExpExecArray)[0];
      const close = sql.indexOf(tag, at + tag.length);
      push('string', close < 0 ? sql.length : close + tag.length);
    } else if (char === ':' && next === ':') push('other', at + 2);
    else if (char === ':' && next !== undefined && NAME_START.test(next)) {
      const end = skipWhile(sql, at + 1, (c) => NAME_CHAR.test(c));
      push('named', end, sql.slice(at + 1, end));
    } else if (char === '?') push('positional', at + 1);
    else if (char === ';') push('semicolon', at + 1);
    else if (WORD_CHAR.test(char)) {
      // E'…', B'…', X'…', N'…' and U&'…' prefixes belong to the string that follows.
      const end = skipWhile(sql, at, (c) => WORD_CHAR.test(c));
      push('word', end);
    } else push('other', at + 1);
  }
  return tokens;
}

function skipWhile(sql: string, from: number, test: (char: string) => boolean): number {
  let at = from;
  while (at < sql.length && test(sql[at] as string)) at += 1;
  return at;
}

function lineEnd(sql: string, from: number): number {
  const newline = sql.indexOf('\n', from);
  return newline < 0 ? sql.length : newline + 1;
}

/** PostgreSQL's block comments nest. */
function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let at = from;
  while (at < sql.length) {
    if (sql.startsWith('/*', at)) {
      depth += 1;
      at += 2;
    } else if (sql.startsWith('*/', at)) {
      depth -= 1;
      at += 2;
      if (depth === 0) return at;
    } else at += 1;
  }
  return sql.length;
}

/** The end of a quoted run opening at `from`; a doubled quote stays inside. */
function quotedEnd(sql: string, from: number, quote: string, backslash: boolean): number {
  let at = from + 1;
  while (at < sql.length) {
    const char = sql[at];
    if (backslash && char === '\\') at += 2;
    else if (char === quote && sql[at + 1] === quote) at += 2;
    else if (char === quote) return at + 1;
    else at += 1;
  }
  return sql.length;
}

/** E'…' (escape string syntax) reads backslash escapes; standard strings do not. */
function escapesBackslash(sql: string, quoteAt: number): boolean {
  const prefix = /([A-Za-z0-9_$\u0080-\uffff]+)$/.exec(
    sql.slice(Math.max(0, quoteAt - 64), quoteAt),
  );
  return prefix !== null && (prefix[1] === 'E' || prefix[1] === 'e');
}

/** Tokens grouped by statement, each without its `;`; statements of only comments dropped. */
export function statements(tokens: readonly Token[]): Token[][] {
  const result: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.kind !== 'semicolon') {
      current.push(token);
      continue;
    }
    result.push(current);
    current = [];
  }
  result.push(current);
  return result.filter((statement) => statement.some(isCode));
}

export function isCode(token: Token): boolean {
  return token.kind !== 'space' && token.kind !== 'comment';
}

/** The statement's first keyword in lower case, looking through opening parentheses. */
export function firstKeyword(statement: readonly Token[]): string | undefined {
  for (const token of statement) {
    if (!isCode(token) || (token.kind === 'other' && token.text === '(')) continue;
    return token.kind === 'word' ? token.text.toLowerCase() : undefined;
  }
  return undefined;
}

/** Names of the functions a statement calls (`name(`), unquoted ones in lower case. */
export function calledFunctions(statement: readonly Token[]): string[] {
  const code = statement.filter(isCode);
  const names: string[] = [];
  code.forEach((token, index) => {
    const next = code[index + 1];
    if (next?.kind !== 'other' || next.text !== '(') return;
    if (token.kind === 'word') names.push(token.text.toLowerCase());
    else if (token.kind === 'quoted') names.push(token.text);
  });
  return names;
}
