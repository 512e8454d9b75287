import type { EventTrace } from '../../app/projections-run.js';
import { InputError } from '../../core/errors.js';
import type { Format } from '../output/formats.js';
import type { Output } from '../output/output.js';
import { printable } from '../output/printable.js';

/**
 * `--trace`: what each event did, as it is committed. On stdout, since it is what was asked
 * for: readable text, or one JSON object per event with `--format ndjson`.
 */
export function traceWriter(out: Output, format: Format | undefined): (trace: EventTrace) => void {
  if (format === 'json') {
    throw new InputError('--trace prints one line per event: give --format ndjson, or no --format');
  }
  return (trace) => {
    void out.write(format === 'ndjson' ? `${JSON.stringify(trace)}\n` : renderTrace(trace, out));
    // Shown as it happens, for `--follow` too.
    void out.flush();
  };
}

/** `beta: event 3 (stream "ticks-all", type Tick)`, then each statement and the rows it changed. */
export function renderTrace(trace: EventTrace, out: Pick<Output, 'style'>): string {
  const { style } = out;
  const where = printable(`event ${trace.position} (stream "${trace.stream}", type ${trace.type})`);
  const head = `${style.bold(printable(trace.projection))}: ${where}\n`;
  if (trace.statements.length === 0) return `${head}  (no statements)\n`;
  const lines = trace.statements.map(({ sql, params, rows }) => {
    const shownParams = params === null ? '' : ` ${style.dim(printable(JSON.stringify(params)))}`;
    const changed = `${rows} ${rows === 1 ? 'row' : 'rows'}`;
    return `  ${printable(sql.replace(/\s+/g, ' ').trim())}${shownParams} → ${changed}\n`;
  });
  return head + lines.join('');
}
