import type { Command } from 'commander';
import { listReadTables, readDbIsStore } from '../../projections/index.js';
import { withFormatOptions } from '../format-options.js';
import { TABULAR_FORMATS, type FormatFlags } from '../formats.js';
import { type CliStreams, formatOf, startRun } from '../io.js';
import { printRows } from '../print.js';

export function registerTables(program: Command, streams: CliStreams): void {
  withFormatOptions(
    program
      .command('tables')
      .description('list read tables and views with their row counts and owning projection'),
    TABULAR_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, streams);
    const format = formatOf(run, flags, TABULAR_FORMATS);
    const isStore = readDbIsStore({ readDbPath: run.ctx.readDbPath, storePath: run.ctx.dbPath });
    const tables = listReadTables(run.ctx.readDbPath, { isStore });
    await printRows(run.out, format, tables, ['name', 'type', 'rows', 'projection']);
  });
}
