import type { Command } from 'commander';
import { waitForProjections } from '../../projections/index.js';
import { type CliStreams, startRun, withStore } from '../io.js';
import { interruptSignal } from '../signals.js';
import { parseSeconds, selectProjections } from './projections-shared.js';

export function registerProjectionsWait(projections: Command, streams: CliStreams): void {
  projections
    .command('wait')
    .description(
      'return once the projections (default: all) reach the head as it was when the command started',
    )
    .argument('[names...]', 'projections to wait for (default: all)')
    .option('--timeout <seconds>', 'give up after this long (exit 6)')
    .action(async (names: string[], flags: { timeout?: string }, command: Command) => {
      const run = startRun(command, streams);
      const timeoutMs =
        flags.timeout === undefined ? undefined : parseSeconds('--timeout', flags.timeout);
      const selected = await selectProjections(run.ctx, names);
      const interrupt = interruptSignal();
      try {
        await withStore(run.ctx, { create: false }, (store) =>
          waitForProjections(store, selected, {
            readDbPath: run.ctx.readDbPath,
            timeoutMs,
            signal: interrupt.signal,
          }),
        );
      } finally {
        interrupt.dispose();
      }
    });
}
