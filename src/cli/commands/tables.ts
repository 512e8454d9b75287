import type { Command } from 'commander';
import { listTables } from '../../app/query.js';
import { withFormatOptions } from '../format-options.js';
import { TABULAR_FORMATS, type FormatFlags } from '../formats.js';
import { type CliIo, formatOf, startRun, withReadModels } from '../io.js';
import { printRows } from '../print.js';

export function registerTables(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('tables')
      .description('list read tables and views with their row counts and owning projection'),
    TABULAR_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, TABULAR_FORMATS);
    const tables = await withReadModels(run, listTables);
    await printRows(run.out, format, tables, ['name', 'type', 'rows', 'projection']);
  });
}
