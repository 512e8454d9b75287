import type { Command } from 'commander';
import type { ChalkInstance } from 'chalk';
import {
  openReadOnlyIfExists,
  projectionStates,
  type ProjectionStatus,
} from '../../projections/index.js';
import { withFormatOptions } from '../format-options.js';
import { DATA_FORMATS, type FormatFlags } from '../formats.js';
import { type CliStreams, formatOf, startRun, withStore } from '../io.js';
import { printRows } from '../print.js';
import { selectProjections } from './projections-shared.js';

const COLUMNS = ['name', 'version', 'status', 'checkpoint', 'head', 'lag', 'lastRunAt', 'detail'];

/** `projections`: the list; its subcommands (run, wait, rebuild) are added by the caller. */
export function registerProjectionsList(program: Command, streams: CliStreams): Command {
  const projections = program
    .command('projections')
    .description('list projections: name, version, status, checkpoint, head, lag')
    .argument('[name...]', 'only these projections (default: all)');
  withFormatOptions(projections, DATA_FORMATS).action(
    async (names: string[], flags: FormatFlags, command: Command) => {
      const run = startRun(command, streams);
      const format = formatOf(run, flags, DATA_FORMATS);
      const defined = await selectProjections(run.ctx, names);
      const states = await withStore(run.ctx, { create: false }, (store) => {
        // Looking must not create the read database: it is opened read-only, if it exists.
        const read = openReadOnlyIfExists(run.ctx.readDbPath);
        try {
          return projectionStates(store, read, defined);
        } finally {
          read?.close();
        }
      });
      const rows =
        format === 'table'
          ? states.map((state) => ({ ...state, status: colourStatus(state.status, run.out.style) }))
          : states;
      await printRows(run.out, format, rows, COLUMNS);
    },
  );
  return projections;
}

function colourStatus(status: ProjectionStatus, style: ChalkInstance): string {
  if (status === 'ok') return style.green(status);
  if (status === 'behind' || status === 'rebuilding') return style.yellow(status);
  return style.red(status);
}
