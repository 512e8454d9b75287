import type { Command } from 'commander';
import {
  followProjections,
  runProjections,
  type RunProjectionsOptions,
} from '../../app/projections-run.js';
import { selectProjections } from '../../app/select-projections.js';
import { InputError, InterruptedError } from '../../core/errors.js';
import { parsePositiveInteger } from '../../core/input.js';
import { type CliIo, domainLoader, type Run, startRun, withApp } from '../io.js';
import { interruptSignal } from '../signals.js';
import { startProgress } from './projections-progress.js';

interface RunFlags {
  batchSize?: string;
  follow?: boolean;
  until?: string;
}

export function registerProjectionsRun(projections: Command, io: CliIo): void {
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
      const run = startRun(command, io);
      if (flags.follow && flags.until !== undefined) {
        throw new InputError('--follow and --until cannot be combined');
      }
      await runCommand(run, names, flags, { rebuild: false });
    });

  projections
    .command('rebuild')
    .description(
      'rebuild projections from the first event (default: all); queries see the old tables until the new ones are complete',
    )
    .argument('[names...]', 'projections to rebuild (default: all)')
    .option('--batch-size <n>', 'events per transaction (default: 2000)')
    .action(async (names: string[], flags: RunFlags, command: Command) => {
      await runCommand(startRun(command, io), names, flags, { rebuild: true });
    });
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
  const domain = await domainLoader(run)();
  // Checked before anything is opened: an unknown name changes nothing.
  selectProjections(domain, names);
  const interrupt = interruptSignal();
  const progress = await startProgress(run);
  const options: RunProjectionsOptions = {
    names,
    batchSize,
    until,
    rebuild: mode.rebuild,
    onProgress: progress.onProgress,
    onNotice: (text) => progress.notice(text),
  };
  try {
    await withApp(
      run,
      { store: 'existing', read: 'write', signal: interrupt.signal },
      async (app) => {
        const ctx = { ...app, domain };
        if (flags.follow) {
          await followProjections(ctx, options);
          return;
        }
        const results = await runProjections(ctx, options);
        progress.stop();
        for (const result of results) run.note(`${result.name}: at position ${result.checkpoint}`);
      },
    );
  } finally {
    progress.stop();
    interrupt.dispose();
  }
  // Stopped by Ctrl-C or SIGTERM: every committed batch stays, nothing is half-applied.
  if (interrupt.signal.aborted) throw new InterruptedError('');
}
