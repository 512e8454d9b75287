import type { Command } from 'commander';
import type { CliStreams } from '../io.js';
import { registerProjectionsList } from './projections.js';
import { registerProjectionsRun } from './projections-run.js';
import { registerProjectionsWait } from './projections-wait.js';

/** `projections` (the list) and its subcommands run, rebuild and wait. */
export function registerProjections(program: Command, streams: CliStreams): void {
  const projections = registerProjectionsList(program, streams);
  registerProjectionsRun(projections, streams);
  registerProjectionsWait(projections, streams);
}
