import type { Command } from 'commander';
import type { CliStreams } from '../io.js';

/** The read side: projections (list, run, wait, rebuild), query, tables. */
export function registerProjectionCommands(_program: Command, _streams: CliStreams): void {}
