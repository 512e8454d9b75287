import type { Style } from './style.js';
import type { RecordedEvent } from '../../core/events.js';
import { StoredEvent } from '../../core/recorded-event.js';
import { printable, printableJson } from './printable.js';

/** CSV (RFC 4180 quoting) or TSV (tabs and newlines escaped) with a header line. */
export function renderDelimited(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
  separator: ',' | '\t',
): string {
  const cell = separator === ',' ? csvCell : tsvCell;
  const lines = [columns.map(cell).join(separator)];
  for (const row of rows) lines.push(delimitedLine(row, columns, separator));
  return `${lines.join('\n')}\n`;
}

/** One row of CSV or TSV, without its line end. */
export function delimitedLine(
  row: Record<string, unknown>,
  columns: readonly string[],
  separator: ',' | '\t',
): string {
  const cell = separator === ',' ? csvCell : tsvCell;
  return columns.map((column) => cell(row[column])).join(separator);
}

function plain(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * NULL and the empty string differ as PostgreSQL's COPY writes them: in CSV, NULL is an empty
 * field and the empty string a quoted `""`; in TSV, NULL is `\N`.
 */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = plain(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function tsvCell(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return plain(value)
    .replaceAll('\\', '\\\\')
    .replaceAll('\t', '\\t')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r');
}

/** One event as a line for people: position, stream@version, type, data. */
export function renderEventLine(event: RecordedEvent, style: Style): string {
  const position = style.dim(`#${event.position}`.padStart(7));
  const where = style.cyan(printable(`${event.stream}@${event.version}`));
  return `${position}  ${where}  ${style.bold(printable(event.type))}  ${dataText(event)}  ${style.dim(printable(event.recordedAt))}`;
}

function dataText(event: RecordedEvent): string {
  return printableJson(event instanceof StoredEvent ? event.dataJson : JSON.stringify(event.data));
}
