import { CommanderError } from 'commander';
import { EventliteError, InterruptedError } from '../core/errors.js';
import { translateSqliteError } from '../store/index.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import type { CliStreams } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs one command line and returns its exit code. The only place that maps errors to exit
 * codes and stderr text; it never calls process.exit, so piped output is always flushed.
 */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const program = await buildProgram(streams, argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportFailure(error, debug, streams);
  }
}

function reportFailure(error: unknown, debug: boolean, streams: CliStreams): number {
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
    streams.stderr.write(`error: ${translated.message}${stack}\n`);
    return EXIT_CODE_OF[translated.code];
  }
  const message = translated instanceof Error ? translated.message : String(translated);
  const hint = debug ? stack : ' (run with --debug for the stack)';
  streams.stderr.write(`error: unexpected failure: ${message}${hint}\n`);
  return EXIT.failure;
}

/** The process entry used by bin/eventlite.js. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  });
}
