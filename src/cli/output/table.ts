import stringWidth from 'string-width';
import { printable } from './printable.js';
import type { Style } from './style.js';
import { StyledCell } from './styled.js';

// Every table eventlite prints (query, tables, streams, projections, status, …) is laid out
// here, as its rows come: the cost is the rows' own, however many there are. Each column is as
// wide as its header and the widest value of the first page (a query's first 1000 rows), as
// psql lays out a page of FETCH_COUNT rows. A wider value in a later page widens its column
// from that page on: no value is ever cut or wrapped, and a rule across the table marks where
// the columns moved. Columns only widen, so a long result settles into its widths.

/** A value as a cell's text: NULL told apart from the empty string, JSON for objects. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (value instanceof StyledCell) return printable(value.text);
  if (typeof value === 'object') return printable(JSON.stringify(value));
  return printable(String(value));
}

/** psql's `\pset null` and sqlite3's `.nullvalue` can show NULL so; here it always is. */
const NULL_TEXT = 'NULL';

/** A table written a page of rows at a time. */
export class StreamedTable {
  private widths: number[] | undefined;
  private readonly header: string[];

  constructor(
    private readonly columns: readonly string[],
    private readonly style: Style,
  ) {
    this.header = columns.map((column) => printable(column));
  }

  /** The page's lines; before the first page's rows, the top border and the header. */
  page(rows: readonly Record<string, unknown>[]): string {
    if (rows.length === 0) return '';
    // One pass to measure the page (flat arrays: a page is a thousand rows of a few cells),
    // one to write it.
    const { columns, style } = this;
    const count = columns.length;
    const texts: string[] = new Array<string>(rows.length * count);
    const measured: number[] = new Array<number>(rows.length * count);
    const needed = this.widths ? [...this.widths] : this.header.map(displayWidth);
    for (let row = 0, cell = 0; row < rows.length; row += 1) {
      const values = rows[row]!;
      for (let column = 0; column < count; column += 1, cell += 1) {
        const text = cellText(values[columns[column]!]);
        const width = displayWidth(text);
        texts[cell] = text;
        measured[cell] = width;
        if (width > needed[column]!) needed[column] = width;
      }
    }
    let text = '';
    if (this.widths === undefined) {
      this.widths = needed;
      text += this.rule('┌', '┬', '┐');
      text += '│';
      for (let column = 0; column < count; column += 1) {
        const name = this.header[column]!;
        text += ` ${style.bold(name)}${spaces(needed[column]! - displayWidth(name))} │`;
      }
      text += '\n';
      text += this.rule('├', '┼', '┤');
    } else if (needed.some((width, column) => width > this.widths![column]!)) {
      this.widths = needed;
      text += this.rule('├', '┼', '┤');
    }
    const widths = this.widths;
    for (let row = 0, cell = 0; row < rows.length; row += 1) {
      const values = rows[row]!;
      let line = '│';
      for (let column = 0; column < count; column += 1, cell += 1) {
        const shown = painted(values[columns[column]!], texts[cell]!, style);
        line += ` ${shown}${spaces(widths[column]! - measured[cell]!)} │`;
      }
      text += `${line}\n`;
    }
    return text;
  }

  /** The bottom border; nothing when no row was printed. */
  end(): string {
    return this.widths === undefined ? '' : this.rule('└', '┴', '┘');
  }

  private rule(left: string, middle: string, right: string): string {
    return `${left}${this.widths!.map((width) => '─'.repeat(width + 2)).join(middle)}${right}\n`;
  }
}

/** A cell's text as shown: NULL dimmed, eventlite's own cells in their colour. */
function painted(value: unknown, text: string, style: Style): string {
  if (value === null || value === undefined) return style.dim(text);
  return value instanceof StyledCell ? value.paint(text) : text;
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** Columns a text takes on a terminal: wide characters two, combining marks none. */
function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

const SPACES: string[] = [];

function spaces(count: number): string {
  if (count <= 0) return '';
  return (SPACES[count] ??= ' '.repeat(count));
}
