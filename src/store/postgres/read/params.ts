import { tokenize } from './sql-text.js';

/** SQL for PostgreSQL with `$1…$n` placeholders, and the values in that order. */
export interface BoundSql {
  text: string;
  values: unknown[];
}

/**
 * Translates a statement written for eventlite (SQLite style) to PostgreSQL's numbered
 * placeholders. With an object of parameters, each `:name` becomes `$k`, one `$k` per distinct
 * name however often it is used, and a name missing from the object is an error that names it
 * (worded as better-sqlite3 words it); keys the statement does not use are ignored, as there.
 * With an array, each `?` becomes the next `$k` (`$n` written natively also works, as long as
 * there is no `?`). Strings, quoted identifiers, comments and `::` casts are left alone.
 *
 * Known limits: `?` is only a placeholder when the parameters are an array (so jsonb's `?`
 * operator works elsewhere), and `arr[lo:hi]` with a name after the colon reads as a parameter:
 * write `arr[lo : hi]`. SQLite's `@name` and `$name` forms are not translated.
 */
export function bindParameters(
  sql: string,
  params?: unknown,
  options: { typeNumbers?: boolean } = {},
): BoundSql {
  const tokens = tokenize(sql);
  const named = params !== null && typeof params === 'object' && !Array.isArray(params);
  const positional = Array.isArray(params);
  const values: unknown[] = [];
  const numbers = new Map<string, number>();
  let text = '';
  for (const token of tokens) {
    if (token.kind === 'named') {
      const name = token.text;
      let number = numbers.get(name);
      if (number === undefined) {
        const record = named ? (params as Record<string, unknown>) : undefined;
        if (!record || !Object.hasOwn(record, name)) {
          throw new RangeError(`Missing named parameter "${name}"`);
        }
        values.push(record[name]);
        number = values.length;
        numbers.set(name, number);
      }
      text += `$${number}${options.typeNumbers ? numberType(values[number - 1]) : ''}`;
    } else if (token.kind === 'positional' && positional) {
      const list = params as readonly unknown[];
      if (values.length >= list.length)
        throw new RangeError('Too few parameter values were provided');
      values.push(list[values.length]);
      text += `$${values.length}`;
    } else text += sql.slice(token.start, token.end);
  }
  if (positional && values.length === 0) return { text: sql, values: [...(params as unknown[])] };
  if (positional && values.length < (params as unknown[]).length) {
    throw new RangeError('Too many parameter values were provided');
  }
  return { text, values };
}

/**
 * A number's placeholder type for a query: sent untyped, `SELECT :n AS n` would come back as
 * text and `WHERE a >= :n … :n AS n` would not type-check, where SQLite gives the number. Text
 * stays untyped, so it still compares with dates and other columns as a literal would.
 */
function numberType(value: unknown): string {
  if (typeof value !== 'number') return '';
  return Number.isSafeInteger(value) ? '::int8' : '::float8';
}
