import type { Command } from 'commander';
import { CAUGHT_UP, followLog, readLogEvents } from '../../app/log.js';
import type { RecordedEvent } from '../../core/events.js';
import { correlationIdOf } from '../../app/correlation.js';
import { InputError, InterruptedError } from '../../core/errors.js';
import type { ReadLogOptions } from '../../core/ports.js';
import { parseSince } from '../../core/since.js';
import { validateCategory } from '../../core/stream-names.js';
import { parsePositiveInteger } from '../../core/input.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';
import { type ReaderWatch, watchStdoutReader } from '../output/reader-gone.js';
import { interruptSignal } from '../signals.js';

interface LogFlags extends FormatFlags {
  from?: string;
  limit?: string;
  type: string[];
  category?: string;
  streamPrefix?: string;
  correlationId?: string;
  since?: string;
  follow?: boolean;
  upcast?: boolean;
}

export function registerLog(program: Command, io: CliIo): void {
  withFormatOptions(
    withEventFilterOptions(
      program
        .command('log')
        .description('print the global log in position order')
        .option('--from <position>', 'start at this position (inclusive)')
        .option('--limit <n>', 'at most this many events'),
    )
      .option(
        '--correlation-id <id>',
        "one command's events (their metadata's correlationId) and what they caused (causationId)",
      )
      .option(
        '--since <time>',
        'only events recorded at or after this time (2026-11-26T10:00:00Z, 2026-11-26) or this long ago (15m, 2h, 7d)',
      )
      .option('--follow', 'keep printing new events until interrupted')
      .option(
        '--upcast',
        'print events as the domain reads them today (old names renamed, data upcast), not as stored',
      ),
    DATA_FORMATS,
  ).action(async (flags: LogFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    const options = {
      from: flags.from === undefined ? undefined : parsePositiveInteger('--from', flags.from),
      limit: flags.limit === undefined ? undefined : parsePositiveInteger('--limit', flags.limit),
      types: flags.type,
      upcast: flags.upcast === true,
      ...filterFlags(flags, run.ctx.clock),
    };
    if (!flags.follow) {
      await withApp(run, { store: 'existing' }, (app) =>
        printEvents(run.out, format, readLogEvents(app, options)),
      );
      return;
    }
    const interrupt = interruptSignal();
    // `log --follow | head -3` ends once head has gone, not at the next event's write.
    const reader = watchStdoutReader(io.stdout);
    const signal = AbortSignal.any([interrupt.signal, reader.signal]);
    try {
      await withApp(run, { store: 'existing', signal }, (app) =>
        printEvents(run.out, format, watchedWhileIdle(followLog(app, options), reader)),
      );
    } finally {
      reader.stop();
      interrupt.dispose();
    }
    // Stopped by Ctrl-C or SIGTERM rather than by --limit or a closed pipe.
    const readerGone = run.out.closed || reader.signal.aborted;
    if (interrupt.signal.aborted && !readerGone) throw new InterruptedError('');
  });
}

/**
 * The followed log, with the reader watched only while it waits for new events: the watch
 * starts once the consumer has printed and flushed what came before (it asks for the next
 * page only then) and stops before the next page is handed over to be written.
 */
async function* watchedWhileIdle(
  pages: AsyncIterable<RecordedEvent[] | typeof CAUGHT_UP>,
  reader: ReaderWatch,
): AsyncGenerator<RecordedEvent[] | typeof CAUGHT_UP> {
  for await (const page of pages) {
    reader.stop();
    yield page;
    if (page === CAUGHT_UP) reader.start();
  }
}

/** --category, --stream-prefix, --correlation-id and --since, checked. */
function filterFlags(flags: LogFlags, clock: (() => Date) | undefined): ReadLogOptions {
  const options: ReadLogOptions = {};
  if (flags.category !== undefined)
    options.category = validateCategory('--category', flags.category);
  if (flags.streamPrefix !== undefined) {
    if (flags.streamPrefix === '') throw new InputError('--stream-prefix must not be empty');
    options.streamPrefix = flags.streamPrefix;
  }
  if (flags.correlationId !== undefined) {
    options.correlationId = correlationIdOf(flags.correlationId);
  }
  if (flags.since !== undefined) {
    // "15m" means before now as the clock says: --clock moves it along with recordedAt.
    options.since = parseSince('--since', flags.since, (clock ?? (() => new Date()))());
  }
  return options;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --type, --category and --stream-prefix, which `log` and `subscribe` filter events by alike. */
export function withEventFilterOptions(command: Command): Command {
  return command
    .option('--type <type>', 'only events of this type (repeatable)', collect, [])
    .option(
      '--category <category>',
      'only streams of this category (the name before its first "-")',
    )
    .option('--stream-prefix <prefix>', 'only streams whose name starts with this');
}
