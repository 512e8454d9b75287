import { CAUGHT_UP } from '../app/log.js';
import type { RecordedEvent } from '../core/events.js';
import { eventJsonLine } from '../core/recorded-event.js';
import type { Format } from './formats.js';
import type { Output } from './output.js';
import { delimitedLine, renderDelimited, renderEventLine } from './render.js';

/** Prints rows that fit in memory (streams, status, query results) in any format. */
export async function printRows(
  out: Output,
  format: Format,
  rows: readonly Record<string, unknown>[],
  columns: readonly string[] = rows[0] ? Object.keys(rows[0]) : [],
): Promise<void> {
  switch (format) {
    case 'json':
      await out.write(jsonArray(rows.map((row) => JSON.stringify(row))));
      break;
    case 'ndjson':
      for (const row of rows) await out.line(JSON.stringify(row));
      break;
    case 'csv':
      await out.write(renderDelimited(rows, columns, ','));
      break;
    case 'tsv':
      await out.write(renderDelimited(rows, columns, '\t'));
      break;
    case 'table': {
      if (rows.length === 0) break;
      const { renderTable } = await import('./table.js');
      await out.line(renderTable(rows, columns, out.style));
      break;
    }
  }
  await out.flush();
}

/**
 * Prints a query's rows as they come, a page at a time: ndjson, csv, tsv and json in flat
 * memory (json stays one valid array); stops early when the reader closes the pipe. The table
 * form gathers every row first, since it measures the columns' widths. Returns the rows printed.
 */
export async function printRowPages(
  out: Output,
  format: Format,
  columns: readonly string[],
  pages: AsyncIterable<readonly Record<string, unknown>[]>,
  map: (row: Record<string, unknown>) => Record<string, unknown> = (row) => row,
): Promise<number> {
  let count = 0;
  if (format === 'table') {
    const rows: Record<string, unknown>[] = [];
    for await (const page of pages) for (const row of page) rows.push(map(row));
    await printRows(out, format, rows, columns);
    return rows.length;
  }
  const separator = format === 'tsv' ? '\t' : ',';
  if (format === 'csv' || format === 'tsv') {
    await out.line(renderDelimited([], columns, separator).slice(0, -1));
  }
  for await (const page of pages) {
    if (out.closed) break;
    let text = '';
    for (const row of page) {
      const shown = map(row);
      if (format === 'json') text += `${count === 0 ? '[\n' : ',\n'}${JSON.stringify(shown)}`;
      else if (format === 'ndjson') text += `${JSON.stringify(shown)}\n`;
      else text += `${delimitedLine(shown, columns, separator)}\n`;
      count += 1;
      if (text.length >= CHUNK) {
        await out.write(text);
        text = '';
      }
    }
    await out.write(text);
  }
  if (format === 'json') await out.write(count === 0 ? '[]\n' : '\n]\n');
  await out.flush();
  return count;
}

/** Prints one record (status, verify): an object, not an array, in JSON forms. */
export async function printRecord(
  out: Output,
  format: Format,
  record: Record<string, unknown>,
): Promise<void> {
  if (format === 'json' || format === 'ndjson') {
    await out.line(JSON.stringify(record));
  } else {
    const rows = Object.entries(record).map(([key, value]) => ({ key, value }));
    await printRows(out, format, rows, ['key', 'value']);
  }
  await out.flush();
}

const CHUNK = 64 * 1024;

/**
 * Streams events a page at a time, in flat memory (an await per 64 KiB, not per event); stops
 * early when the reader closes the pipe. The table form is one line per event (a table would
 * need every row before printing).
 */
export async function printEvents(
  out: Output,
  format: Format,
  pages:
    Iterable<readonly RecordedEvent[]> | AsyncIterable<readonly RecordedEvent[] | typeof CAUGHT_UP>,
): Promise<number> {
  let count = 0;
  if (format === 'json') await out.write('[');
  for await (const page of pages) {
    if (out.closed) break;
    if (page === CAUGHT_UP) {
      // A followed log has nothing more for now: show what came before waiting.
      await out.flush();
      continue;
    }
    let text = '';
    for (const event of page) {
      if (format === 'json') text += `${count === 0 ? '\n' : ',\n'}${eventJsonLine(event)}`;
      else if (format === 'table') text += `${renderEventLine(event, out.style)}\n`;
      else text += `${eventJsonLine(event)}\n`;
      count += 1;
      // Handed over in pieces of about 64 KiB: one string per page (half a megabyte) costs
      // more in allocation and copying than the awaits it saves.
      if (text.length >= CHUNK) {
        await out.write(text);
        text = '';
      }
    }
    await out.write(text);
  }
  if (format === 'json') await out.write(count === 0 ? ']\n' : '\n]\n');
  await out.flush();
  return count;
}

function jsonArray(items: readonly string[]): string {
  return items.length === 0 ? '[]\n' : `[\n${items.join(',\n')}\n]\n`;
}
