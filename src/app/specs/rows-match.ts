import type { JsonObject } from '../../core/events.js';

/** A query's answer as a projection case sees it: the column names in order, and the rows. */
export interface QueryRows {
  columns: readonly string[];
  rows: readonly Record<string, unknown>[];
}

/** Past this many rows a failure message says how many more there are rather than list them. */
const SHOWN_ROWS = 20;

/**
 * Why the query's rows do not meet the spec, or undefined when they do. Rows must match in
 * number and in order (so the spec's query should say ORDER BY); each expected row names a
 * subset of the columns, like event data in command specs, so a spec about balances stays
 * valid when the table gains a column. The message leads with the first difference, then
 * lists the expected and the actual rows over the columns the spec names, one per line.
 */
export function rowsMismatch(
  expected: readonly JsonObject[],
  actual: QueryRows,
): string | undefined {
  const rows = actual.rows.map(comparable);
  const problem = firstDifference(expected, rows, actual.columns);
  if (problem === undefined) return undefined;
  const shown = shownColumns(expected, actual.columns);
  return [
    problem,
    ...listRows('expected:', expected),
    ...listRows(
      'actual:  ',
      rows.map((row) => pick(row, shown)),
    ),
  ].join('\n');
}

function firstDifference(
  expected: readonly JsonObject[],
  actual: readonly Record<string, unknown>[],
  columns: readonly string[],
): string | undefined {
  if (expected.length !== actual.length) {
    return `expected ${countOf(expected.length)}, got ${actual.length}`;
  }
  for (const [index, want] of expected.entries()) {
    const got = actual[index]!;
    for (const [column, value] of Object.entries(want)) {
      if (!Object.hasOwn(got, column)) {
        return `row ${index + 1}: no column "${column}" (the query returns ${columns.join(', ')})`;
      }
      if (!sameValue(value, got[column])) {
        return `row ${index + 1}: ${column}: expected ${show(value)}, got ${show(got[column])}`;
      }
    }
  }
  return undefined;
}

// SQLite values are text, numbers, NULL or blobs: strict equality is the right test (text "70"
// is not the number 70), with blobs compared as hex, the way `eventlite query` prints them.
function sameValue(expected: unknown, actual: unknown): boolean {
  return expected === actual;
}

function comparable(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] = Buffer.isBuffer(value) ? value.toString('hex') : value;
  }
  return out;
}

/** The columns the spec names, in the order it first names them; all of them if it names none. */
function shownColumns(expected: readonly JsonObject[], columns: readonly string[]): string[] {
  const named = [...new Set(expected.flatMap((row) => Object.keys(row)))];
  return named.length > 0 ? named : [...columns];
}

function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) if (Object.hasOwn(row, column)) out[column] = row[column];
  return out;
}

function listRows(label: string, rows: readonly Record<string, unknown>[]): string[] {
  const pad = ' '.repeat(label.length);
  if (rows.length === 0) return [`  ${label} (no rows)`];
  const lines = rows
    .slice(0, SHOWN_ROWS)
    .map((row, index) => `  ${index === 0 ? label : pad} ${JSON.stringify(row)}`);
  if (rows.length > SHOWN_ROWS) lines.push(`  ${pad} … and ${rows.length - SHOWN_ROWS} more`);
  return lines;
}

function countOf(count: number): string {
  return count === 1 ? '1 row' : `${count} rows`;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
