// Loaded only when a table is printed: cli-table3 is not needed on the NDJSON path.
import Table from 'cli-table3';
import type { Style } from './style.js';

export function renderTable(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  style: Style,
): string {
  const table = new Table({
    head: columns.map((column) => style.bold(column)),
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(columns.map((column) => cellText(row[column], style)));
  return table.toString();
}

function cellText(value: unknown, style: Style): string {
  // NULL is not the empty string: shown as psql's `\pset null` and sqlite3's `.nullvalue` can.
  if (value === null || value === undefined) return style.dim('NULL');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
