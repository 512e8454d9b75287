import { Option, type Command } from 'commander';
import {
  followProjections,
  runProjections,
  type RunProjectionsOptions,
  type RunResult,
} from '../../app/projections-run.js';
import { selectProjections } from '../../app/select-projections.js';
import { InputError } from '../../core/errors.js';
import { parsePositiveInteger } from '../../core/input.js';
import { DATA_FORMATS, type Format, type FormatFlags } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, type Run, startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { printRows } from '../output/print.js';
import { startProgress } from './projections-progress.js';
import { traceWriter } from './projections-trace.js';

interface RunFlags extends FormatFlags {
  trace?: boolean;
  batchSize?: string;
  follow?: boolean;
  until?: string;
}

const RESULT_COLUMNS = ['name', 'from', 'to', 'events', 'status', 'rebuilt', 'error'];

/**
 * `--format` here prints what the run did on stdout; without it, stdout stays empty (as it
 * always has) and the summary lines go to stderr.
 */
function withResultFormat(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--format <format>',
        'print what the run did, per projection (from, to, events, status), on stdout',
      ).choices(DATA_FORMATS),
    )
    .option('--json', 'short for --format json')
    .option(
      '--trace',
      'print each event as it is applied: the statements its handler gave and the rows each changed (--format ndjson: as JSON)',
    );
}

/**
 * The flags with `--format`/`--json` wherever commander put them: the `projections` list has
 * the same options, and commander hands a subcommand's unknown-to-the-program options to the
 * parent first, so `projections run --format json` lands on the list's options.
 */
function resultFlags(flags: RunFlags, command: Command): RunFlags {
  const parent = command.parent?.opts<FormatFlags>() ?? {};
  return {
    ...flags,
    format: flags.format ?? parent.format,
    json: flags.json ?? parent.json,
  };
}

export function registerProjectionsRun(projections: Command, io: CliIo): void {
  const runCommandDefinition = projections
    .command('run')
    .description(
      'catch projections up from their checkpoints (default: all); --follow stays caught up',
    )
    .argument('[names...]', 'projections to run (default: all)')
    .option('--batch-size <n>', 'events per transaction (default: 2000)')
    .option('--follow', 'keep the projections caught up until interrupted')
    .option(
      '--until <position>',
      'stop at this event position (the read model as of then); refused for tables already past it',
    );
  withResultFormat(runCommandDefinition).action(
    async (names: string[], flags: RunFlags, command: Command) => {
      const run = startRun(command, io);
      if (flags.follow && flags.until !== undefined) {
        throw new InputError('--follow and --until cannot be combined');
      }
      const { format, json } = resultFlags(flags, command);
      if (flags.follow && (format !== undefined || json)) {
        throw new InputError('--follow and --format cannot be combined');
      }
      await runCommand(run, names, resultFlags(flags, command), { rebuild: false });
    },
  );

  const rebuildCommandDefinition = projections
    .command('rebuild')
    .description(
      'rebuild projections from the first event (default: all); queries see the old tables until the new ones are complete',
    )
    .argument('[names...]', 'projections to rebuild (default: all)')
    .option('--batch-size <n>', 'events per transaction (default: 2000)')
    .option('--until <position>', 'rebuild up to this event position (the read model as of then)');
  withResultFormat(rebuildCommandDefinition).action(
    async (names: string[], flags: RunFlags, command: Command) => {
      await runCommand(startRun(command, io), names, resultFlags(flags, command), {
        rebuild: true,
      });
    },
  );
}

async function runCommand(
  run: Run,
  names: readonly string[],
  flags: RunFlags,
  mode: { rebuild: boolean },
): Promise<void> {
  const batchSize =
    flags.batchSize === undefined
      ? undefined
      : parsePositiveInteger('--batch-size', flags.batchSize);
  const until =
    flags.until === undefined ? undefined : parsePositiveInteger('--until', flags.until);
  const format =
    flags.format !== undefined || flags.json ? formatOf(run, flags, DATA_FORMATS) : undefined;
  const onTrace = flags.trace ? traceWriter(run.out, format) : undefined;
  const domain = await domainLoader(run)();
  // Checked before anything is opened: an unknown name changes nothing.
  selectProjections(domain, names);
  const progress = await startProgress(run);
  const options: RunProjectionsOptions = {
    names,
    batchSize,
    until,
    rebuild: mode.rebuild,
    onProgress: progress.onProgress,
    onNotice: (text) => progress.notice(text),
    onResult: (result) => results.push(result),
    onTrace,
    // Nothing is set aside silently: each event a handler failed on, with its error.
    onSetAside: (projection, event) => {
      if (event.attempts === 0) return;
      progress.notice(
        `projection "${projection}": ${event.kind} event ${event.position} (stream "${event.stream}", type ${event.type}): ${event.error}`,
      );
    },
  };
  const results: RunResult[] = [];
  // No signal handler (see signals.ts): Ctrl-C or SIGTERM ends the run at once, even in a
  // handler that never returns; the batch it was in rolls back, the batches before stay.
  try {
    await withApp(run, { store: 'existing', read: 'write' }, async (app) => {
      const ctx = { ...app, domain };
      if (flags.follow) {
        await followProjections(ctx, options);
        return;
      }
      try {
        await runProjections(ctx, options);
      } finally {
        // What was done is reported even when a projection failed: the others ran.
        progress.stop();
        // With --trace, stdout holds the trace; the summary lines still go to stderr.
        await reportResults(run, results, onTrace ? undefined : format);
        await run.out.flush();
      }
    });
  } finally {
    progress.stop();
  }
}

/** A line on stderr per projection that did not fail (a failure is the error line), and the rows. */
async function reportResults(
  run: Run,
  results: readonly RunResult[],
  format: Format | undefined,
): Promise<void> {
  for (const result of results) {
    if (result.status !== 'failed') {
      run.note(`${result.name}: at position ${result.checkpoint}${setAsideNote(result)}`);
    }
  }
  if (format === undefined) return;
  const rows = results.map((result) => ({
    name: result.name,
    from: result.from,
    to: result.checkpoint,
    events: result.events,
    status: result.status,
    rebuilt: result.rebuilt,
    error: result.error?.message ?? null,
  }));
  await printRows(run.out, format, rows, RESULT_COLUMNS);
}

/** "; 2 events parked, 1 skipped (eventlite projections parked NAME)", or nothing. */
function setAsideNote(result: RunResult): string {
  if (result.parked + result.skipped === 0) return '';
  const parts = [];
  if (result.parked > 0) parts.push(`${result.parked} parked`);
  if (result.skipped > 0) parts.push(`${result.skipped} skipped`);
  const events = result.parked + result.skipped === 1 ? 'event' : 'events';
  return `; ${events} set aside: ${parts.join(', ')} (eventlite projections parked ${result.name})`;
}
