import type { Command } from 'commander';
import type { CliStreams } from '../io.js';

/** Commands that need a domain module: exec, state, replay, test. */
export function registerDomainCommands(_program: Command, _streams: CliStreams): void {}
