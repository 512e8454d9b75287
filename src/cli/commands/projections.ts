import type { Command } from 'commander';
import type { Style } from '../output/style.js';
import { type ProjectionStatus } from '../../app/projections-list.js';
import { listProjections } from '../../app/projections-list.js';
import { selectProjections } from '../../app/select-projections.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { printRows } from '../output/print.js';
import { StyledCell } from '../output/styled.js';

const COLUMNS = [
  'name',
  'version',
  'status',
  'checkpoint',
  'head',
  'lag',
  'parked',
  'skipped',
  'lastRunAt',
  'detail',
];

/** `projections`: the list; its subcommands (run, wait, rebuild) are added by the caller. */
export function registerProjectionsList(program: Command, io: CliIo): Command {
  const projections = program
    .command('projections')
    .description('list projections: name, version, status, checkpoint, head, lag')
    .argument('[name...]', 'only these projections (default: all)');
  withFormatOptions(projections, DATA_FORMATS).action(
    async (names: string[], flags: FormatFlags, command: Command) => {
      const run = startRun(command, io);
      const format = formatOf(run, flags, DATA_FORMATS);
      const domain = await domainLoader(run)();
      // Checked before anything is opened: an unknown name changes nothing.
      selectProjections(domain, names);
      // Looking must not create the read database: it is opened read-only, if it exists.
      const states = await withApp(run, { store: 'existing', read: 'read' }, (app) =>
        listProjections({ ...app, domain }, names),
      );
      const rows = states.map((state) => ({
        ...state,
        status: format === 'table' ? colourStatus(state.status, run.out.style) : state.status,
      }));
      await printRows(run.out, format, rows, COLUMNS);
    },
  );
  return projections;
}

function colourStatus(status: ProjectionStatus, style: Style): StyledCell {
  if (status === 'ok') return new StyledCell(status, style.green);
  if (status === 'behind' || status === 'rebuilding') return new StyledCell(status, style.yellow);
  return new StyledCell(status, style.red);
}
