import type { Command } from 'commander';
import { parsePositiveInteger } from '../../core/input.js';
import { streamPages } from '../../app/streams.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printRowPages } from '../output/print.js';
import { registerStreamsDelete } from './streams-delete.js';

interface StreamsFlags extends FormatFlags {
  prefix?: string;
  limit?: string;
}

const COLUMNS = ['stream', 'version', 'firstRecordedAt', 'lastRecordedAt'];

/** `streams` (the list) and its subcommands delete and restore. */
export function registerStreams(program: Command, io: CliIo): void {
  const streams = withFormatOptions(
    program
      .command('streams')
      .description('list streams with their version and first and last recordedAt')
      .option('--prefix <prefix>', 'only streams whose name starts with this')
      .option('--limit <n>', 'at most this many streams'),
    DATA_FORMATS,
  ).action(async (flags: StreamsFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    const limit =
      flags.limit === undefined ? undefined : parsePositiveInteger('--limit', flags.limit);
    // Printed as the pages come, inside: they are read from the open store. A closed pipe
    // (`streams | head -1`) stops the reading at the next page.
    await withApp(run, { store: 'existing' }, (app) =>
      printRowPages(
        run.out,
        format,
        COLUMNS,
        streamPages(app, { prefix: flags.prefix, limit }) as AsyncIterable<
          Record<string, unknown>[]
        >,
      ),
    );
  });
  registerStreamsDelete(streams, io);
}
