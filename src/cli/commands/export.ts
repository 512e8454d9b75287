import type { Command } from 'commander';
import { exportEvents } from '../../app/read.js';
import { parsePositiveInteger } from '../../core/input.js';
import { type CliIo, startRun, withApp } from '../io.js';
import { printEvents } from '../print.js';

interface ExportFlags {
  stream?: string;
  from?: string;
}

export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write events as NDJSON to stdout (for import, backups and jq)')
    .option('--stream <stream>', 'only this stream')
    .option('--from <position>', 'start at this global position (inclusive)')
    .action(async (flags: ExportFlags, command: Command) => {
      const run = startRun(command, io);
      const from = flags.from === undefined ? 1 : parsePositiveInteger('--from', flags.from);
      await withApp(run, { store: 'existing' }, async (app) => {
        const pages = await exportEvents(app, { stream: flags.stream, from });
        await printEvents(run.out, 'ndjson', pages);
      });
    });
}
