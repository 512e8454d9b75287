import type { Command } from 'commander';
import { exportEvents } from '../../app/read.js';
import { parsePositiveInteger } from '../../core/input.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';

interface ExportFlags {
  stream?: string;
  from?: string;
  upcast?: boolean;
}

export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write events as NDJSON to stdout (for import, backups and jq)')
    .option('--stream <stream>', 'only this stream')
    .option('--from <position>', 'start at this global position (inclusive)')
    .option(
      '--upcast',
      "write events in today's shapes (old names renamed, data upcast): import them into a new store to leave the old shapes behind",
    )
    .action(async (flags: ExportFlags, command: Command) => {
      const run = startRun(command, io);
      const from = flags.from === undefined ? 1 : parsePositiveInteger('--from', flags.from);
      await withApp(run, { store: 'existing' }, async (app) => {
        const exported = await exportEvents(app, {
          stream: flags.stream,
          from,
          upcast: flags.upcast === true,
        });
        await printEvents(run.out, 'ndjson', exported.pages);
      });
    });
}
