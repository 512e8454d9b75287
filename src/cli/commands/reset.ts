import type { Command } from 'commander';
import { shownLocation } from '../../app/open.js';
import { resetStore } from '../../app/reset.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';

export function registerReset(program: Command, io: CliIo): void {
  program
    .command('reset')
    .description(
      'start over: delete every event and all read models, leaving an empty store (asks first; --yes for scripts)',
    )
    .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)')
    .action(async (flags: { yes?: boolean }, command: Command) => {
      const run = startRun(command, io);
      const { db, readDb } = run.ctx.locations;
      await confirm(
        run,
        `reset deletes every event in ${shownLocation(db)} and the read models in ${shownLocation(readDb)}`,
        flags.yes,
      );
      const summary = await resetStore(run.ctx.locations);
      run.note(
        `deleted ${summary.events} events in ${summary.streams} streams and the read models; empty store ready at ${shownLocation(db)}`,
      );
    });
}
