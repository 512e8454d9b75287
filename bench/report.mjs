// The printed report: one row per figure, ours beside the raw baseline and their ratio.

const HEADERS = ['measure', 'ours', 'raw baseline', 'ratio', 'target', 'met'];

/** `columns` renames the two value columns and the ratio, e.g. PostgreSQL, SQLite, PG/SQLite. */
export function printReport(rows, { title, footer, columns, ratioNote = 'ratio = ours / raw' }) {
  const headers = columns ? ['measure', ...columns, 'target', 'met'] : HEADERS;
  const table = rows.map((row) => [
    row.measure,
    formatValue(row.ours, row.unit),
    formatValue(row.raw, row.unit),
    `${((row.ours / row.raw) * 100).toFixed(0)}%`,
    row.target?.text ?? '—',
    row.target === undefined ? '—' : row.target.met ? 'yes' : 'NO',
  ]);
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...table.map((cells) => cells[column].length)),
  );
  const line = (cells) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ')
      .trimEnd();
  console.log('');
  console.log(title);
  console.log(line(headers));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const cells of table) console.log(line(cells));
  const notes = rows.filter((row) => row.note).map((row) => `  ${row.measure}: ${row.note}`);
  if (notes.length > 0) console.log(['', `notes (${ratioNote}):`, ...notes].join('\n'));
  if (footer) console.log(`\n${footer}`);
}

function formatValue(value, unit) {
  if (unit === 'ev/s') return `${Math.round(value).toLocaleString('en-US')} ev/s`;
  if (unit === 'cmd/s') return `${Math.round(value).toLocaleString('en-US')} cmd/s`;
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  if (unit === '% of a core') return `${value.toFixed(2)}%`;
  return `${value.toFixed(1)} ${unit}`;
}
