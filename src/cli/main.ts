import { resolve } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { EventliteError, InterruptedError, StoreError } from '../core/errors.js';
import { readDbIsStore } from '../projections/read-schema.js';
import { translateSqliteError } from '../store/index.js';
import { resolveContext } from './context.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import type { CliStreams } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs one command line and returns its exit code. The only place that maps errors to exit
 * codes and stderr text; it never calls process.exit, so piped output is always flushed.
 */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const debug = argv.includes('--debug');
  let program: Command | undefined;
  try {
    program = await buildProgram(streams, argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, debug, streams, program);
  }
}

function reportFailure(
  error: unknown,
  debug: boolean,
  streams: CliStreams,
  program: Command | undefined,
): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    const printedHelp = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    if (printedHelp.includes(error.code)) return EXIT.ok;
    if (error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    return EXIT.usage;
  }
  const translated = translateSqliteError(error, 'the database');
  const stack = debug && translated instanceof Error ? `\n${translated.stack ?? ''}` : '';
  if (translated instanceof InterruptedError) {
    if (translated.message) streams.stderr.write(`${translated.message}${stack}\n`);
    return EXIT.interrupted;
  }
  if (translated instanceof EventliteError) {
    const hint = rebuildHint(translated, program);
    streams.stderr.write(`error: ${translated.message}${hint}${stack}\n`);
    return EXIT_CODE_OF[translated.code];
  }
  const message = translated instanceof Error ? translated.message : String(translated);
  const hint = debug ? stack : ' (run with --debug for the stack)';
  streams.stderr.write(`error: unexpected failure: ${message}${hint}\n`);
  return EXIT.failure;
}

/**
 * A damaged read database is no loss: it holds only read models, derived from the store. Say
 * how to get it back, unless the read models live in the store file itself.
 */
function rebuildHint(error: EventliteError, program: Command | undefined): string {
  if (!(error instanceof StoreError) || error.damagedFile === undefined || !program) return '';
  try {
    const { dbPath, readDbPath } = resolveContext(program);
    const separateFile = !readDbIsStore({ readDbPath, storePath: dbPath });
    return separateFile && resolve(error.damagedFile) === resolve(readDbPath)
      ? `; it holds only read models: delete it and run "eventlite projections run" to rebuild them from the store`
      : '';
  } catch {
    return '';
  }
}

/** The process entry used by bin/eventlite.js. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  });
}
