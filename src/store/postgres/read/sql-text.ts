// A small lexer for the SQL that projections and `eventlite query` hand us. It finds exactly
// what the read store needs to know without a parser: where parameters are, where statements
// end, the first keyword, and which functions are called. It must split the text where
// PostgreSQL's own lexer (scan.l) splits it: text that we take for a comment or a string but
// the server takes for code would pass the query checks unseen. So it reads as the server
// does: a `--` comment ends at \r as well as \n; block comments nest; 'a' and 'b' on the next
// line are one string; E'…' reads backslash escapes (other strings do not: every session sets
// standard_conforming_strings on); $tag$…$tag$ quotes; `1e'x'` is a number and then an E'…'
// string; `$1` is a parameter, not the start of a dollar quote. The query checks are one lock
// of several (see query.ts): a mistake here costs a clear error, not a privilege.

export type TokenKind =
  | 'word' // a keyword, unquoted identifier, number or $n parameter
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

/** PostgreSQL's whitespace (\v from version 16 on; 15 refuses it, so either reading is safe). */
const SPACE = /[ \t\n\r\f\v]/;
const HORIZONTAL_SPACE = /[ \t\f\v]/;
const NEWLINE = /[\n\r]/;
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const DIGIT_OR_UNDERSCORE = /[0-9_]/;
const RADIX_DIGIT = /[0-9A-Fa-f_]/;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

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
    const prefixed = next === "'" ? stringPrefix(char) : undefined;
    if (SPACE.test(char)) push('space', skipWhile(sql, at, SPACE));
    else if (char === '-' && next === '-') push('comment', lineCommentEnd(sql, at));
    else if (char === '/' && next === '*') push('comment', blockCommentEnd(sql, at));
    else if (char === "'") push('string', stringEnd(sql, at, false));
    // E'…', B'…', X'…', N'…': a prefix letter that starts a token belongs to the string.
    else if (prefixed !== undefined) push('string', stringEnd(sql, at + 1, prefixed));
    else if (/[Uu]/.test(char) && next === '&' && sql[at + 2] === "'") {
      push('string', stringEnd(sql, at + 2, false));
    } else if (/[Uu]/.test(char) && next === '&' && sql[at + 2] === '"') {
      push('unicode-quoted', quotedIdentifierEnd(sql, at + 2));
    } else if (char === '"') {
      const end = quotedIdentifierEnd(sql, at);
      push('quoted', end, sql.slice(at + 1, end - 1).replaceAll('""', '"'));
    } else if (char === '$') push(...dollarToken(sql, at));
    else if (DIGIT.test(char) || (char === '.' && next !== undefined && DIGIT.test(next))) {
      push('word', numberEnd(sql, at));
    } else if (IDENT_START.test(char)) push('word', skipWhile(sql, at + 1, IDENT_CHAR));
    else if (char === ':' && next === ':') push('other', at + 2);
    else if (char === ':' && next !== undefined && NAME_START.test(next)) {
      const end = skipWhile(sql, at + 1, NAME_CHAR);
      push('named', end, sql.slice(at + 1, end));
    } else if (char === '?') push('positional', at + 1);
    else if (char === ';') push('semicolon', at + 1);
    else push('other', at + 1);
  }
  return tokens;
}

/** For a letter before a quote: whether the string reads backslash escapes; undefined: no prefix. */
function stringPrefix(letter: string): boolean | undefined {
  if (letter === 'E' || letter === 'e') return true;
  return /[BbXxNn]/.test(letter) ? false : undefined;
}

function skipWhile(sql: string, from: number, chars: RegExp): number {
  let at = from;
  while (at < sql.length && chars.test(sql[at] as string)) at += 1;
  return at;
}

/** Up to (not including) the \n or \r that ends it: the server ends a line comment at either. */
function lineCommentEnd(sql: string, from: number): number {
  let at = from;
  while (at < sql.length && !NEWLINE.test(sql[at] as string)) at += 1;
  return at;
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

/**
 * The end of a string literal opening at `quoteAt`: a doubled quote stays inside, and so does a
 * quote after a backslash when `escapes`. A quote after whitespace holding a newline (comments
 * allowed) continues the same literal in the same mode, as the server reads `'a'\n'b'`.
 */
function stringEnd(sql: string, quoteAt: number, escapes: boolean): number {
  let at = quoteAt + 1;
  while (at < sql.length) {
    const char = sql[at];
    if (escapes && char === '\\') at += 2;
    else if (char === "'" && sql[at + 1] === "'") at += 2;
    else if (char === "'") {
      const continued = continuationQuote(sql, at + 1);
      if (continued === undefined) return at + 1;
      at = continued + 1;
    } else at += 1;
  }
  return sql.length;
}

/** Where the quote that continues a string is, when the text from `from` leads to one. */
function continuationQuote(sql: string, from: number): number | undefined {
  let at = from;
  let newline = false;
  while (at < sql.length) {
    const char = sql[at] as string;
    if (NEWLINE.test(char)) newline = true;
    else if (sql.startsWith('--', at)) at = lineCommentEnd(sql, at) - 1;
    else if (!HORIZONTAL_SPACE.test(char)) break;
    at += 1;
  }
  return newline && sql[at] === "'" ? at : undefined;
}

/** The end of a "quoted identifier" opening at `quoteAt`; a doubled quote stays inside. */
function quotedIdentifierEnd(sql: string, quoteAt: number): number {
  let at = quoteAt + 1;
  while (at < sql.length) {
    if (sql[at] === '"' && sql[at + 1] === '"') at += 2;
    else if (sql[at] === '"') return at + 1;
    else at += 1;
  }
  return sql.length;
}

/** `$tag$…$tag$` (or `$$…$$`), `$n` (a parameter), or a lone `$`. */
function dollarToken(sql: string, at: number): [TokenKind, number] {
  DOLLAR_TAG.lastIndex = at;
  const tag = DOLLAR_TAG.exec(sql)?.[0];
  if (tag !== undefined) {
    const close = sql.indexOf(tag, at + tag.length);
    return ['string', close < 0 ? sql.length : close + tag.length];
  }
  const digits = skipWhile(sql, at + 1, DIGIT);
  return digits > at + 1 ? ['word', digits] : ['other', at + 1];
}

/**
 * A number as the server reads one: digits (with PostgreSQL 16's underscores and 0x/0o/0b),
 * a fraction, and an exponent only when digits follow the `e` (`1e'x'` is 1, then E'x').
 */
function numberEnd(sql: string, from: number): number {
  if (sql[from] === '0' && /[XxOoBb]/.test(sql[from + 1] ?? '')) {
    if (RADIX_DIGIT.test(sql[from + 2] ?? '')) return skipWhile(sql, from + 2, RADIX_DIGIT);
  }
  let at = skipWhile(sql, from, DIGIT_OR_UNDERSCORE);
  if (sql[at] === '.' && sql[at + 1] !== '.') at = skipWhile(sql, at + 1, DIGIT_OR_UNDERSCORE);
  if (/[Ee]/.test(sql[at] ?? '')) {
    const sign = /[+-]/.test(sql[at + 1] ?? '') ? 1 : 0;
    if (DIGIT.test(sql[at + 1 + sign] ?? '')) at = skipWhile(sql, at + 1 + sign, DIGIT);
  }
  return at;
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
