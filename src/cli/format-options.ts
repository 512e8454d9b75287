import { Option, type Command } from 'commander';
import type { Format } from './formats.js';

/** Adds `--format` and `--json` to a command that prints data. */
export function withFormatOptions(command: Command, formats: readonly Format[]): Command {
  return command
    .addOption(
      new Option(
        '--format <format>',
        'output format (default: table on a terminal, else ndjson)',
      ).choices(formats),
    )
    .option('--json', 'short for --format json');
}
