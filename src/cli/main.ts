import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EventliteError, InterruptedError, StoreError } from '../core/errors.js';
import { invalidUtf8Argument } from './argv-bytes.js';
import { CommandFailed } from './command-failed.js';
import { COMPLETE_COMMAND, commandWordIndex } from './command-word.js';
import { EXIT, EXIT_CODE_OF } from './exit-codes.js';
import { failureJson, wantsJsonErrors, withReason } from './output/failure.js';
import { processStream, type OutStream } from './output/fd-stream.js';
import type { CliIo } from './io.js';
import { savedHelp } from './saved-help.js';
import { printableJson, printableLines } from './output/printable.js';
import { prepareStyles } from './output/style.js';
import { interruptedExitCode, resetInterrupt } from './signals.js';
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
  if (argv[commandWordIndex(argv)] === COMPLETE_COMMAND) {
    const { completeWords } = await import('./complete-words.js');
    return completeWords(argv, io);
  }
  // No arguments at all is a request for help (program.ts), answered as `--help` is.
  const help = savedHelp(argv.length === 0 ? ['--help'] : argv, io);
  if (help !== undefined) {
    io.stdout.write(help);
    return EXIT.ok;
  }
  const json = wantsJsonErrors(argv);
  await prepareStyles(io.stdout, io.stderr);
  let program: Command | undefined;
  resetInterrupt();
  try {
    // Imported here, after the fast path above: commander and the program are most of what
    // this module would otherwise load before it could print a version.
    const { buildProgram } = await import('./program.js');
    program = await buildProgram(io, argv, { quietErrors: json });
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    const failure = await describeFailure(error, debug, io, program);
    // A message may echo data (a value, a name, a domain's words): its control characters
    // are shown escaped, never sent to the terminal as they are.
    if (failure.message === undefined) {
      io.stderr.write(printableLines(failure.human));
      return failure.code;
    }
    // With --format json|ndjson a script reads the failure as one JSON object on stderr.
    if (json) {
      io.stderr.write(printableJson(failureJson(failure.code, error, failure.message)));
      if (debug && error instanceof Error && error.stack) {
        io.stderr.write(`${printableLines(error.stack)}\n`);
      }
    } else io.stderr.write(printableLines(failure.human));
    return failure.code;
  }
}

interface Failure {
  code: number;
  /** The message alone, for JSON; undefined when there is no failure to report (help, version, a stop on a signal). */
  message?: string;
  /** The line (or lines, with --debug) for people. */
  human: string;
}

async function describeFailure(
  error: unknown,
  debug: boolean,
  io: CliIo,
  program: Command | undefined,
): Promise<Failure> {
  const { CommanderError } = await import('commander');
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text), unless JSON
    // errors silenced it.
    const printedHelp = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    if (printedHelp.includes(error.code)) return { code: EXIT.ok, human: '' };
    if (error.code === 'commander.executeSubCommandAsync')
      return { code: error.exitCode, human: '' };
    return { code: EXIT.usage, message: error.message.replace(/^error: /, '').trim(), human: '' };
  }
  const stack = debug && error instanceof Error ? `\n${error.stack ?? ''}` : '';
  if (error instanceof InterruptedError) {
    // A stop on a signal is not a failure to report: only its note, if any, in every format.
    const human = error.message ? `${error.message}${stack}\n` : '';
    return { code: interruptedExitCode(), human };
  }
  if (error instanceof CommandFailed) {
    return {
      code: EXIT.failure,
      message: error.message,
      human: `error: ${error.message}${stack}\n`,
    };
  }
  if (error instanceof EventliteError) {
    const hint = await rebuildHint(error, program, io);
    const message = `${withReason(error, error.message)}${hint}`;
    return { code: EXIT_CODE_OF[error.code], message, human: `error: ${message}${stack}\n` };
  }
  const text = error instanceof Error ? error.message : String(error);
  const hint = debug ? stack : ' (run with --debug for the stack)';
  return {
    code: EXIT.failure,
    message: `unexpected failure: ${text}`,
    human: `error: unexpected failure: ${text}${hint}\n`,
  };
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
  const args = process.argv.slice(2);
  // Pipes and files are written straight to their descriptors (see FdStream).
  const stdout = processStream(1);
  const stderr = processStream(2);
  // Help and usage text are written straight to stdout; when its reader has gone
  // (`eventlite --help | head -1`), stop quietly as a command's own output does (see Output).
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
  const badArgument = invalidUtf8Argument(args.length);
  const code =
    badArgument === undefined
      ? await runCli(args, {
          stdout,
          stderr,
          // Made on first use (see Run.stdinIsTTY): most commands never read stdin.
          get stdin() {
            return process.stdin;
          },
          env: process.env,
          cwd: process.cwd(),
        })
      : refuseArgument(badArgument, args, stderr);
  // A command ends when its work is done, even if the domain module left a timer running:
  // flush both streams, then exit rather than wait for the event loop to empty.
  await Promise.all([flushed(stdout), flushed(stderr)]);
  process.exit(code);
}

/** Refused before the program is built, yet reported as every other failure is (JSON too). */
function refuseArgument(position: number, args: readonly string[], stderr: OutStream): number {
  const message = `argument ${position} is not valid UTF-8; it would be stored with U+FFFD in place of its bytes`;
  stderr.write(
    wantsJsonErrors(args) ? failureJson(EXIT.usage, undefined, message) : `error: ${message}\n`,
  );
  return EXIT.usage;
}

function flushed(stream: OutStream): Promise<void> {
  return new Promise((resolveFlush) => {
    try {
      stream.write('', () => resolveFlush());
    } catch {
      resolveFlush();
    }
  });
}
