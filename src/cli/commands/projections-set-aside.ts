import type { Command } from 'commander';
import { projectionSetAside, retryProjection } from '../../app/projections-set-aside.js';
import { selectProjections } from '../../app/select-projections.js';
import type { SetAsideRow } from '../../core/set-aside.js';
import { DATA_FORMATS, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { printRows } from '../output/print.js';
import { withParentFormat } from './subscriptions.js';

const COLUMNS = ['position', 'stream', 'type', 'kind', 'attempts', 'at', 'error'];

/** `projections parked NAME` and `projections retry NAME`: a projection's set-aside events. */
export function registerProjectionsSetAside(projections: Command, io: CliIo): void {
  withFormatOptions(
    projections
      .command('parked')
      .description(
        "list a projection's set-aside events (onError 'park' or 'skip'), with the handler's error",
      )
      .argument('<name>', 'the projection'),
    DATA_FORMATS,
  ).action(async (name: string, flags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, withParentFormat(flags, command), DATA_FORMATS);
    const domain = await domainLoader(run)();
    // Checked before anything is opened: an unknown name changes nothing.
    selectProjections(domain, [name]);
    // Looking creates nothing: the read models are opened read-only, if they exist.
    const rows = await withApp(run, { store: 'existing', read: 'read' }, (app) =>
      projectionSetAside({ ...app, domain }, name),
    );
    await printRows(run.out, format, rows.map(shownRow), COLUMNS);
  });

  projections
    .command('retry')
    .description(
      "apply a projection's parked events again, in order, with its handlers as they are now",
    )
    .argument('<name>', 'the projection')
    .option('--skipped', 'its skipped events too')
    .action(async (name: string, flags: { skipped?: boolean }, command: Command) => {
      const run = startRun(command, io);
      const domain = await domainLoader(run)();
      selectProjections(domain, [name]);
      // No signal handler: as `projections run`, it runs the user's handlers (see signals.ts).
      const result = await withApp(run, { store: 'existing', read: 'write' }, (app) =>
        retryProjection({ ...app, domain }, name, flags),
      );
      const applied = `${result.applied} event${result.applied === 1 ? '' : 's'} applied`;
      const left =
        result.setAside === 0
          ? ''
          : `, ${result.setAside} still set aside (projections parked ${name})`;
      run.note(`projection "${name}": ${applied}${left}`);
    });
}

function shownRow(row: SetAsideRow): Record<string, unknown> {
  const { position, stream, type, kind, attempts, at, error } = row;
  return { position, stream, type, kind, attempts, at, error };
}
