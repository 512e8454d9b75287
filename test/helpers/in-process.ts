import { PassThrough, Readable } from 'node:stream';
import { runCli as runProgram } from '../../src/cli/main.js';
import { cliEnv, type CliOptions, type CliResult } from './cli.js';

/** What the CLI run in process can be given beyond what a spawned one can. */
export interface InProcessOptions extends CliOptions {
  terminal?: boolean;
}

/**
 * Runs the CLI in this process, from the sources, as `bin/eventlite.js` would run it: argv in,
 * exact stdout, stderr and exit code out. The streams are pipes, not terminals, so output is
 * NDJSON unless a format is given and nothing is coloured; stdin holds `input` (or nothing),
 * and claims to be a terminal with `terminal` (so that a command asks before it goes on).
 */
export async function runInProcess(
  args: readonly string[],
  options: InProcessOptions,
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const collected = { stdout: '', stderr: '' };
  stdout.setEncoding('utf8').on('data', (chunk: string) => (collected.stdout += chunk));
  stderr.setEncoding('utf8').on('data', (chunk: string) => (collected.stderr += chunk));
  const code = await runProgram(args, {
    stdout,
    stderr,
    stdin: Object.assign(
      Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
      options.terminal ? { isTTY: true } : {},
    ),
    env: cliEnv(options.env),
    cwd: options.cwd,
  });
  stdout.end();
  stderr.end();
  return { code, signal: null, ...collected };
}
