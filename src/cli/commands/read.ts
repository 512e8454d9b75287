import type { Command } from 'commander';
import { readStreamEvents } from '../../app/read.js';
import { parsePositiveInteger, validateName } from '../../core/input.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';

interface ReadFlags extends FormatFlags {
  from?: string;
  limit?: string;
  backwards?: boolean;
  upcast?: boolean;
}

export function registerRead(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('read')
      .description('print the events of one stream in order')
      .argument('<stream>', 'stream name, e.g. account-a1')
      .option('--from <version>', 'start at this version (inclusive)')
      .option('--limit <n>', 'at most this many events')
      .option('--backwards', 'newest first (from the last version, or down from --from)')
      .option(
        '--upcast',
        'print events as the domain reads them today (old names renamed, data upcast), not as stored',
      ),
    DATA_FORMATS,
  ).action(async (stream: string, flags: ReadFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('stream', stream);
    const from = flags.from === undefined ? undefined : parsePositiveInteger('--from', flags.from);
    const limit =
      flags.limit === undefined ? undefined : parsePositiveInteger('--limit', flags.limit);
    await withApp(run, { store: 'existing' }, async (app) => {
      const pages = await readStreamEvents(app, stream, {
        from,
        limit,
        backwards: flags.backwards === true,
        upcast: flags.upcast === true,
      });
      await printEvents(run.out, format, pages);
    });
  });
}
