import type { Command } from 'commander';
import { followLog, readLogEvents } from '../../app/log.js';
import { InterruptedError } from '../../core/errors.js';
import { parsePositiveInteger } from '../../core/input.js';
import { withFormatOptions } from '../format-options.js';
import { DATA_FORMATS, type FormatFlags } from '../formats.js';
import { type CliIo, formatOf, startRun, withApp } from '../io.js';
import { printEvents } from '../print.js';
import { interruptSignal } from '../signals.js';

interface LogFlags extends FormatFlags {
  from?: string;
  limit?: string;
  type: string[];
  follow?: boolean;
}

export function registerLog(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('log')
      .description('print the global log in position order')
      .option('--from <position>', 'start at this position (inclusive)')
      .option('--limit <n>', 'at most this many events')
      .option('--type <type>', 'only events of this type (repeatable)', collect, [])
      .option('--follow', 'keep printing new events until interrupted'),
    DATA_FORMATS,
  ).action(async (flags: LogFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    const options = {
      from: flags.from === undefined ? undefined : parsePositiveInteger('--from', flags.from),
      limit: flags.limit === undefined ? undefined : parsePositiveInteger('--limit', flags.limit),
      types: flags.type,
    };
    if (!flags.follow) {
      await withApp(run, { store: 'existing' }, (app) =>
        printEvents(run.out, format, readLogEvents(app, options)),
      );
      return;
    }
    const interrupt = interruptSignal();
    try {
      await withApp(run, { store: 'existing', signal: interrupt.signal }, (app) =>
        printEvents(run.out, format, followLog(app, options)),
      );
    } finally {
      interrupt.dispose();
    }
    // Stopped by Ctrl-C or SIGTERM rather than by --limit or a closed pipe.
    if (interrupt.signal.aborted && !run.out.closed) throw new InterruptedError('');
  });
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
