import type { Command } from 'commander';
import type { CliStreams } from '../io.js';
import { registerExec } from './exec.js';
import { registerReplay } from './replay.js';
import { registerState } from './state.js';
import { registerTest } from './test-specs.js';

/** Commands that need a domain module: exec, state, replay, test. */
export function registerDomainCommands(program: Command, streams: CliStreams): void {
  registerExec(program, streams);
  registerState(program, streams);
  registerReplay(program, streams);
  registerTest(program, streams);
}
