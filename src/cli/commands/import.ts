import type { Command } from 'commander';
import { importEvents } from '../../app/import.js';
import { describeSource, readLineBatches } from '../input.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { startSpinner } from '../spinner.js';

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      'append an export (NDJSON, - for stdin) keeping ids, data and recordedAt; all or nothing',
    )
    .argument('<file>', 'NDJSON file in the event shape, or - for stdin')
    .action(async (file: string, _flags: object, command: Command) => {
      const run = startRun(command, io);
      const source = describeSource(file);
      // Opening the file first means a missing file changes nothing.
      const batches = readLineBatches(file, io);
      const spinner = await startSpinner(run, `importing ${source}`);
      try {
        const summary = await withApp(run, { store: 'create' }, (app) =>
          importEvents(app, batches, {
            source,
            onProgress: (read) => spinner.update(`importing ${source}: ${read} events read`),
            onCommitting: (read) =>
              spinner.update(`importing ${source}: committing ${read} events`),
          }),
        );
        spinner.stop();
        run.note(
          `imported ${summary.imported} event${summary.imported === 1 ? '' : 's'}` +
            (summary.skipped > 0 ? ` (${summary.skipped} already stored, skipped)` : '') +
            `; head is at ${summary.head}`,
        );
      } finally {
        spinner.stop();
      }
    });
}
