import { CAUGHT_UP } from '../../app/log.js';
import type { RecordedEvent } from '../../core/events.js';
import { eventJsonLine } from '../../core/recorded-event.js';
import type { Format } from './formats.js';
import type { Output } from './output.js';
import { delimitedLine, renderDelimited, renderEventLine } from './render.js';

/** Prints rows that fit in memory (streams, status, tables) in any format. */
export async function printRows(
  out: Output,
  format: Format,
  rows: readonly Record<string, unknown>[],
  columns: readonly string[] = rows[0] ? Object.keys(rows[0]) : [],
): Promise<void> {
  await printRowPages(out, format, columns, onePage(rows));
}

async function* onePage(
  rows: readonly Record<string, unknown>[],
): AsyncGenerator<readonly Record<string, unknown>[]> {
  if (rows.length > 0) yield rows;
}

/** A renderer of rows for people, fed a page at a time (table.ts, markdown.ts). */
interface PagedRenderer {
  page(rows: readonly Record<string, unknown>[]): string;
  end(): string;
}

async function pagedRenderer(
  out: Output,
  format: 'table' | 'markdown',
  columns: readonly string[],
): Promise<PagedRenderer> {
  // Loaded only when a table is printed: the width tables are not needed on the NDJSON path.
  if (format === 'table') return new (await import('./table.js')).StreamedTable(columns, out.style);
  return new (await import('./markdown.js')).MarkdownTable(columns);
}

/**
 * Prints rows as they come, a page at a time, in every format in flat memory: json stays one
 * valid array, and a table or Markdown is laid out from its first page (see table.ts); stops
 * early when the reader closes the pipe. Returns the rows printed.
 */
export async function printRowPages(
  out: Output,
  format: Format,
  columns: readonly string[],
  pages: AsyncIterable<readonly Record<string, unknown>[]>,
  map: (row: Record<string, unknown>) => Record<string, unknown> = (row) => row,
): Promise<number> {
  let count = 0;
  if (format === 'table' || format === 'markdown') {
    const renderer = await pagedRenderer(out, format, columns);
    for await (const page of pages) {
      if (out.closed) break;
      await out.write(renderer.page(page.map(map)));
      count += page.length;
    }
    await out.write(renderer.end());
    await out.flush();
    return count;
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
