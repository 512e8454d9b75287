import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EventliteError, InterruptedError, StoreError } from '../core/errors.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import type { CliIo } from './io.js';
import { VERSION } from './version.js';

/**
 * Runs one command line and returns its exit code. The only place that maps errors to exit
 * codes and stderr text; it never calls process.exit, so piped output is always flushed.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  // What commander prints for the version flag alone, without building the program: a
  // script that asks for the version pays only Node's own start-up.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  let program: Command | undefined;
  try {
    // Imported here, after the fast path above: commander and the program are most of what
    // this module would otherwise load before it could print a version.
    const { buildProgram } = await import('./program.js');
    program = await buildProgram(io, argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return await reportFailure(error, debug, io, program);
  }
}

async function reportFailure(
  error: unknown,
  debug: boolean,
  io: CliIo,
  program: Command | undefined,
): Promise<number> {
  const { CommanderError } = await import('commander');
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    const printedHelp = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    if (printedHelp.includes(error.code)) return EXIT.ok;
    if (error.code === 'commander.executeSubCommandAsync') return error.exitCode;
    return EXIT.usage;
  }
  const translated = error;
  const stack = debug && translated instanceof Error ? `\n${translated.stack ?? ''}` : '';
  if (translated instanceof InterruptedError) {
    if (translated.message) io.stderr.write(`${translated.message}${stack}\n`);
    return EXIT.interrupted;
  }
  if (translated instanceof EventliteError) {
    const hint = await rebuildHint(translated, program, io);
    io.stderr.write(`error: ${translated.message}${hint}${stack}\n`);
    return EXIT_CODE_OF[translated.code];
  }
  const message = translated instanceof Error ? translated.message : String(translated);
  const hint = debug ? stack : ' (run with --debug for the stack)';
  io.stderr.write(`error: unexpected failure: ${message}${hint}\n`);
  return EXIT.failure;
}

/**
 * A damaged read database is no loss: it holds only read models, derived from the store. Say
 * how to get it back, unless the read models live in the store file itself.
 */
async function rebuildHint(
  error: EventliteError,
  program: Command | undefined,
  io: CliIo,
): Promise<string> {
  if (!(error instanceof StoreError) || error.damagedFile === undefined || !program) return '';
  try {
    // Loaded only on this rare path: every command would otherwise load the store to start.
    const [{ readModelsInStore }, { resolveContext }] = await Promise.all([
      import('../app/open.js'),
      import('./context.js'),
    ]);
    const { locations } = resolveContext(program, io.env, io.cwd);
    const separateFile = !readModelsInStore(locations);
    return separateFile && resolve(io.cwd, error.damagedFile) === resolve(io.cwd, locations.readDb)
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
    env: process.env,
    cwd: process.cwd(),
  });
}
