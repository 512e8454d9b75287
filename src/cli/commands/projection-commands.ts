import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerProjectionsList } from './projections.js';
import { registerProjectionsRun } from './projections-run.js';
import { registerProjectionsDrop } from './projections-drop.js';
import { registerProjectionsWait } from './projections-wait.js';
import { registerProjectionsSetAside } from './projections-set-aside.js';

/** `projections` (the list) and its subcommands run, rebuild, wait, drop, parked and retry. */
export function registerProjections(program: Command, io: CliIo): void {
  const projections = registerProjectionsList(program, io);
  registerProjectionsRun(projections, io);
  registerProjectionsWait(projections, io);
  registerProjectionsDrop(projections, io);
  registerProjectionsSetAside(projections, io);
}
