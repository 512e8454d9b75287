import type { Command } from 'commander';
import { runQueryPages } from '../../app/query.js';
import { isNestedTooDeep } from '../../core/input.js';
import type { QueryParams } from '../../core/ports.js';
import { parseQueryParam } from '../../core/query-param.js';
import { TABULAR_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import { readAll } from '../input.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withReadModels } from '../with-app.js';
import { printRowPages } from '../output/print.js';

interface QueryFlags extends FormatFlags {
  param?: QueryParams;
  jsonCols?: boolean;
}

export function registerQuery(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('query')
      .description('run one read-only SQL statement against the read models; writes are refused')
      .argument('<sql>', 'one SQL statement, or - to read it from stdin')
      .option(
        '--param <name=value>',
        'bind :name (repeatable); numbers bind as numbers',
        (text: string, previous: QueryParams | undefined) => parseQueryParam(text, previous),
      )
      .option('--json-cols', 'parse text that holds a JSON object or array (default: keep text)'),
    TABULAR_FORMATS,
  ).action(async (sql: string, flags: QueryFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, TABULAR_FORMATS);
    const text = sql === '-' ? await readAll('-', io) : sql;
    const jsonCols = flags.jsonCols === true;
    // Printed inside: the pages come from a statement that the closing store lets go.
    const count = await withReadModels(run, async (app) => {
      const { columns, pages } = await runQueryPages(app, text, flags.param ?? {});
      return printRowPages(run.out, format, columns, pages, (row) => outputRow(row, jsonCols));
    });
    // A table of nothing prints nothing: say so, where it does not mix with the data.
    if (format === 'table' && count === 0) run.note('no rows');
  });
}

function outputRow(row: Record<string, unknown>, jsonCols: boolean): Record<string, unknown> {
  // Most rows print as they are: copied only when a value changes.
  if (!jsonCols && !Object.values(row).some((value) => Buffer.isBuffer(value))) return row;
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = outputValue(value, jsonCols);
  return out;
}

function outputValue(value: unknown, jsonCols: boolean): unknown {
  // A BLOB would otherwise print as {"type":"Buffer","data":[…]}.
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (!jsonCols || typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value) as unknown;
  } catch {
    return value;
  }
  // Deeper than eventlite nests JSON anywhere: printed as a value it would overflow the stack.
  // It stays the text it is, as text that is not JSON does, and the other rows still print.
  return isNestedTooDeep(parsed, value) ? value : parsed;
}
