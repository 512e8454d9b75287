import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { beginImport } from '../../store/index.js';
import { parseExportedEvent } from '../exported-event.js';
import { describeSource, readLineBatches } from '../input.js';
import { type CliStreams, startRun, withStore } from '../io.js';
import { startSpinner } from '../spinner.js';

export function registerImport(program: Command, streams: CliStreams): void {
  program
    .command('import')
    .description(
      'append an export (NDJSON, - for stdin) keeping ids, data and recordedAt; all or nothing',
    )
    .argument('<file>', 'NDJSON file in the event shape, or - for stdin')
    .action(async (file: string, _flags: object, command: Command) => {
      const run = startRun(command, streams);
      const source = describeSource(file);
      // Opening the file first means a missing file changes nothing.
      const batches = readLineBatches(file);
      const spinner = await startSpinner(run, streams, `importing ${source}`);
      await withStore(run.ctx, { create: true }, async (db) => {
        const session = beginImport(db);
        let read = 0;
        try {
          for await (const batch of batches) {
            for (const line of batch) {
              session.add(parseExportedEvent(line.text, `${source}:${line.number}`));
            }
            read += batch.length;
            spinner.update(`importing ${source}: ${read} events read`);
          }
          spinner.update(`importing ${source}: committing ${read} events`);
          const summary = session.commit();
          spinner.stop();
          run.note(
            `imported ${summary.imported} event${summary.imported === 1 ? '' : 's'}` +
              (summary.skipped > 0 ? ` (${summary.skipped} already stored, skipped)` : '') +
              `; head is at ${summary.head}`,
          );
        } catch (error) {
          spinner.stop();
          session.rollback();
          if (error instanceof SyntaxError) throw new InputError(error.message);
          throw error;
        }
      });
    });
}
