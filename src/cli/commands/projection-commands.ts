import type { Command } from 'commander';
import type { CliStreams } from '../io.js';
import { registerProjectionsList } from './projections.js';
import { registerProjectionsRun } from './projections-run.js';
import { registerProjectionsWait } from './projections-wait.js';
import { registerQuery } from './query.js';
import { registerTables } from './tables.js';

/** The read side: projections (list, run, wait, rebuild), query, tables. */
export function registerProjectionCommands(program: Command, streams: CliStreams): void {
  const projections = registerProjectionsList(program, streams);
  registerProjectionsRun(projections, streams);
  registerProjectionsWait(projections, streams);
  registerQuery(program, streams);
  registerTables(program, streams);
}
