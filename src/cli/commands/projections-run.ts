import type { Command } from 'commander';
import { InputError, InterruptedError } from '../../core/errors.js';
import { parsePositiveInteger } from '../../core/input.js';
import { followProjections, runProjections, type RunOptions } from '../../projections/index.js';
import { type CliStreams, type Run, startRun } from '../io.js';
import { interruptSignal } from '../signals.js';
import { startProgress } from './projections-progress.js';
import { selectProjections, withProjectionDatabases } from './projections-shared.js';

interface RunFlags {
  batchSize?: string;
  follow?: boolean;
  until?: string;
}

export function registerProjectionsRun(projections: Command, streams: CliStreams): void {
  projections
    .command('run')
    .description(
      'catch projections up from their checkpoints (default: all); --follow stays caught up',
    )
    .argument('[names...]', 'projections to run (default: all)')
    .option('--batch-size <n>', 'events per transaction (default: 2000)')
    .option('--follow', 'keep the projections caught up until interrupted')
    .option('--until <position>', 'stop at this event position (the read model as of then)')
    .action(async (names: string[], flags: RunFlags, command: Command) => {
      const run = startRun(command, streams);
      if (flags.follow && flags.until !== undefined) {
        throw new InputError('--follow and --until cannot be combined');
      }
      await runCommand(run, streams, names, flags, { rebuild: false });
    });

  projections
    .command('rebuild')
    .description(
      'rebuild projections from the first event (default: all); queries see the old tables until the new ones are complete',
    )
    .argument('[names...]', 'projections to rebuild (default: all)')
    .option('--batch-size <n>', 'events per transaction (default: 2000)')
    .action(async (names: string[], flags: RunFlags, command: Command) => {
      await runCommand(startRun(command, streams), streams, names, flags, { rebuild: true });
    });
}

async function runCommand(
  run: Run,
  streams: CliStreams,
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
  const selected = await selectProjections(run.ctx, names);
  const interrupt = interruptSignal();
  const progress = await startProgress(run, streams);
  try {
    await withProjectionDatabases(run.ctx, async (store, read) => {
      const options: RunOptions = {
        batchSize,
        until,
        rebuild: mode.rebuild,
        signal: interrupt.signal,
        onProgress: progress.onProgress,
        onNotice: (text) => progress.notice(text),
        now: () => new Date().toISOString(),
      };
      if (flags.follow) {
        await followProjections(store, read, selected, { ...options, signal: interrupt.signal });
        return;
      }
      const results = await runProjections(store, read, selected, options);
      progress.stop();
      for (const result of results) run.note(`${result.name}: at position ${result.checkpoint}`);
    });
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  // Stopped by Ctrl-C or SIGTERM: every committed batch stays, nothing is half-applied.
  if (interrupt.signal.aborted) throw new InterruptedError('');
}
