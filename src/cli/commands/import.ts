import type { Command } from 'commander';
import { importEvents } from '../../app/import.js';
import type { ImportSummary } from '../../core/ports.js';
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
    .option(
      '--keys <file>',
      'the subject keys written by export --keys, added in the same transaction',
    )
    .action(async (file: string, flags: { keys?: string }, command: Command) => {
      const run = startRun(command, io);
      const source = describeSource(file);
      // Opening the files first means a missing file changes nothing.
      const batches = readLineBatches(file, io);
      const keys =
        flags.keys === undefined
          ? undefined
          : { lines: readLineBatches(flags.keys, io), source: describeSource(flags.keys) };
      const spinner = await startSpinner(run, `importing ${source}`);
      try {
        const summary = await withApp(run, { store: 'create' }, (app) =>
          importEvents(app, batches, {
            source,
            keys,
            onProgress: (read) => spinner.update(`importing ${source}: ${read} events read`),
            onCommitting: (read) =>
              spinner.update(`importing ${source}: committing ${read} events`),
          }),
        );
        spinner.stop();
        run.note(importNote(summary));
      } finally {
        spinner.stop();
      }
    });
}

function importNote(summary: ImportSummary): string {
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const extra = [
    summary.skipped > 0 ? `${summary.skipped} already stored, skipped` : undefined,
    summary.leftOut ? `${summary.leftOut} of streams deleted here, left out` : undefined,
    summary.keys ? `${plural(summary.keys, 'subject key')} added` : undefined,
    summary.forgottenKeys
      ? `${plural(summary.forgottenKeys, 'key')} forgotten here, left out`
      : undefined,
  ].filter((text) => text !== undefined);
  return (
    `imported ${plural(summary.imported, 'event')}` +
    (extra.length > 0 ? ` (${extra.join('; ')})` : '') +
    `; head is at ${summary.head}`
  );
}
