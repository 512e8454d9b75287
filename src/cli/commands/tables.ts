import type { Command } from 'commander';
import { listColumns, listTables } from '../../app/query.js';
import { TABULAR_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withReadModels } from '../with-app.js';
import { printRows } from '../output/print.js';

interface TablesFlags extends FormatFlags {
  columns?: boolean;
}

export function registerTables(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('tables')
      .description('list read tables and views with their row counts and owning projection')
      .argument('[names...]', 'only these tables and views (default: all)')
      .option('--columns', 'list their columns instead: table, column, type, nullable'),
    TABULAR_FORMATS,
  ).action(async (names: string[], flags: TablesFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, TABULAR_FORMATS);
    if (flags.columns) {
      const columns = await withReadModels(run, (app) => listColumns(app, names));
      await printRows(run.out, format, columns, ['table', 'column', 'type', 'nullable']);
      return;
    }
    const tables = await withReadModels(run, (app) => listTables(app, names));
    await printRows(run.out, format, tables, ['name', 'type', 'rows', 'projection']);
  });
}
