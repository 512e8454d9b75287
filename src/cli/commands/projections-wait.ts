import type { Command } from 'commander';
import { openQueryStore, openReadStore, shownLocation } from '../../app/open.js';
import { DEFAULT_WAIT_TIMEOUT_MS, waitForProjections } from '../../app/projections-wait.js';
import { selectProjections } from '../../app/select-projections.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { interruptSignal } from '../signals.js';
import { parseSeconds } from './projections-shared.js';

export function registerProjectionsWait(projections: Command, io: CliIo): void {
  projections
    .command('wait')
    .description(
      'return once the projections (default: all) reach the head as it was when the command started (and, with --query-db, once that replica has replayed them)',
    )
    .argument('[names...]', 'projections to wait for (default: all)')
    .option(
      '--timeout <seconds>',
      `give up after this long (exit 6); default ${DEFAULT_WAIT_TIMEOUT_MS / 1000}, or env EVENTLITE_WAIT_TIMEOUT`,
    )
    .action(async (names: string[], flags: { timeout?: string }, command: Command) => {
      const run = startRun(command, io);
      const timeoutMs =
        flags.timeout !== undefined
          ? parseSeconds('--timeout', flags.timeout)
          : io.env.EVENTLITE_WAIT_TIMEOUT
            ? parseSeconds('EVENTLITE_WAIT_TIMEOUT', io.env.EVENTLITE_WAIT_TIMEOUT)
            : DEFAULT_WAIT_TIMEOUT_MS;
      const domain = await domainLoader(run)();
      // Checked before anything is opened: an unknown name changes nothing.
      selectProjections(domain, names);
      const { queryDb } = run.ctx.locations;
      const interrupt = interruptSignal();
      try {
        await withApp(run, { store: 'existing', signal: interrupt.signal }, (app) =>
          waitForProjections(
            { ...app, domain },
            {
              names,
              timeoutMs,
              // Waiting creates nothing: the read models are looked at once they exist.
              openReadStore: () => openReadStore(run.ctx.locations, 'read'),
              ...(queryDb !== undefined && {
                replica: {
                  location: shownLocation(queryDb),
                  open: () => openQueryStore(run.ctx.locations),
                },
              }),
            },
          ),
        );
      } finally {
        interrupt.dispose();
      }
    });
}
