import type { Command } from 'commander';
import { openReadStore, shownLocation } from '../../app/open.js';
import { assertProjectionStored, dropProjection } from '../../app/projections-drop.js';
import { confirm } from '../confirm.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';

export function registerProjectionsDrop(projections: Command, io: CliIo): void {
  projections
    .command('drop')
    .description(
      "drop a projection's tables, views and checkpoint (asks first; --yes for scripts); the next run builds it afresh",
    )
    .argument('<name>', 'the projection (it need not be in the domain module any more)')
    .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)')
    .action(async (name: string, flags: { yes?: boolean }, command: Command) => {
      const run = startRun(command, io);
      const { locations } = run.ctx;
      const readLocation = shownLocation(locations.readDb);
      // Looked for first (creating nothing): a name that is not there needs no confirmation.
      const look = await openReadStore(locations, 'read');
      try {
        await assertProjectionStored({ read: look, readLocation }, name);
      } finally {
        await look?.close();
      }
      await confirm(run, `drop deletes projection "${name}" and its tables`, flags.yes);
      const read = await openReadStore(locations, 'write');
      try {
        await dropProjection({ read, readLocation }, name);
      } finally {
        await read?.close();
      }
      run.note(`dropped projection "${name}" and its tables`);
    });
}
