import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { beginImport } from '../../store/index.js';
import { parseExportedEvent } from '../exported-event.js';
import { describeSource, readLines } from '../input.js';
import { type CliStreams, startRun, withStore } from '../io.js';

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
      const lines = readLines(file);
      // Open the file before the store, so a missing file changes nothing.
      const first = await lines.next();
      await withStore(run.ctx, { create: true }, async (db) => {
        const session = beginImport(db);
        try {
          if (!first.done) {
            session.add(parseExportedEvent(first.value.text, `${source}:${first.value.number}`));
            for await (const line of lines) {
              session.add(parseExportedEvent(line.text, `${source}:${line.number}`));
            }
          }
          const summary = session.commit();
          run.note(
            `imported ${summary.imported} event${summary.imported === 1 ? '' : 's'}` +
              (summary.skipped > 0 ? ` (${summary.skipped} already stored, skipped)` : '') +
              `; head is at ${summary.head}`,
          );
        } catch (error) {
          session.rollback();
          if (error instanceof SyntaxError) throw new InputError(error.message);
          throw error;
        }
      });
    });
}
