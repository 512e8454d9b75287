import type { Command } from 'commander';
import { listEventTypes } from '../../app/types.js';
import type { CliIo } from '../io.js';
import { TABULAR_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import { printRows } from '../output/print.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';

const COLUMNS = [
  'type',
  'schemaVersion',
  'events',
  'firstRecordedAt',
  'lastRecordedAt',
  'readsAs',
  'currentVersion',
  'declared',
];

export function registerTypes(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('types')
      .description(
        'list the event types in the store: events per stored schema version, first and last recordedAt, and what the domain module declares of each (when there is one)',
      ),
    TABULAR_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, TABULAR_FORMATS);
    // The domain is optional here: without one, the store's own facts are still worth listing.
    const rows = await withApp(run, { store: 'existing' }, (app) =>
      listEventTypes(run.ctx.domainPath === undefined ? { ...app, domain: undefined } : app),
    );
    await printRows(run.out, format, rows as unknown as Record<string, unknown>[], COLUMNS);
  });
}
