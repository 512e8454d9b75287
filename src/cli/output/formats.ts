import { Option, type Command } from 'commander';
import { InputError } from '../../core/errors.js';

export type Format = 'table' | 'json' | 'ndjson' | 'csv' | 'tsv' | 'markdown';

export const DATA_FORMATS: readonly Format[] = ['table', 'json', 'ndjson'];
/** Formats of rows with fixed columns (query, tables): the data formats, delimited text and Markdown. */
export const TABULAR_FORMATS: readonly Format[] = [
  'table',
  'json',
  'ndjson',
  'csv',
  'tsv',
  'markdown',
];

export interface FormatFlags {
  format?: string;
  json?: boolean;
}

/** `--json` is `--format json`; with neither, a terminal gets a table and a pipe NDJSON. */
export function resolveFormat(
  flags: FormatFlags,
  allowed: readonly Format[],
  stdoutIsTTY: boolean,
): Format {
  if (flags.json && flags.format !== undefined && flags.format !== 'json') {
    throw new InputError(`--json and --format ${flags.format} disagree; give one of them`);
  }
  if (flags.json) return 'json';
  if (flags.format === undefined) return stdoutIsTTY ? 'table' : 'ndjson';
  if (!(allowed as readonly string[]).includes(flags.format)) {
    throw new InputError(`--format must be one of ${allowed.join(', ')}, got "${flags.format}"`);
  }
  return flags.format as Format;
}

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
