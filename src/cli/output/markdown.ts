import stringWidth from 'string-width';
import { printable } from './printable.js';

// `--format markdown`: a GitHub-flavoured table for handouts and READMEs, written as the rows
// come, like the terminal table (table.ts). Cells are padded to the header and the first
// page's widest value so that the source reads as a table too; a wider value later simply
// runs on, which Markdown does not mind. NULL is an empty cell, as sqlite3's markdown mode
// shows it.

/** A value as a cell: `|` and `\` escaped, a line break as `<br>`, controls escaped. */
export function markdownCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return printable(
    text
      .replaceAll('\\', '\\\\')
      .replaceAll('|', '\\|')
      .replace(/\r\n|\r|\n/g, '<br>'),
  );
}

/** Some renderers want at least three hyphens under each header. */
const MIN_WIDTH = 3;

export class MarkdownTable {
  private widths: number[] | undefined;
  private readonly header: string[];

  constructor(private readonly columns: readonly string[]) {
    this.header = columns.map(markdownCell);
  }

  /** The page's lines; before the first page's, the header and the delimiter row. */
  page(rows: readonly Record<string, unknown>[]): string {
    const texts = rows.map((row) => this.columns.map((column) => markdownCell(row[column])));
    let text = '';
    if (this.widths === undefined) {
      const widths = this.header.map((name) => Math.max(MIN_WIDTH, stringWidth(name)));
      for (const row of texts) {
        row.forEach((cell, column) => {
          widths[column] = Math.max(widths[column]!, stringWidth(cell));
        });
      }
      this.widths = widths;
      text += this.line(this.header);
      text += this.line(widths.map((width) => '-'.repeat(width)));
    }
    for (const row of texts) text += this.line(row);
    return text;
  }

  /** A table of no rows is still its header. */
  end(): string {
    return this.widths === undefined ? this.page([]) : '';
  }

  private line(cells: readonly string[]): string {
    const padded = cells.map((cell, column) => {
      const pad = this.widths![column]! - stringWidth(cell);
      return pad > 0 ? cell + ' '.repeat(pad) : cell;
    });
    return `| ${padded.join(' | ')} |\n`;
  }
}
