import type { Command } from 'commander';
import { type CliStreams, startRun, withStore } from '../io.js';

export function registerInit(program: Command, streams: CliStreams): void {
  program
    .command('init')
    .description('create the event store (does nothing to one that exists)')
    .action(async (_flags: object, command: Command) => {
      const run = startRun(command, streams);
      await withStore(run.ctx, { create: true }, () => {
        run.note(`event store ready at ${run.ctx.dbPath}`);
      });
    });
}
