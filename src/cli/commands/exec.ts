import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { parseJsonObject, parsePositiveInteger } from '../../core/input.js';
import { correlationIdOf } from '../../app/correlation.js';
import { DEFAULT_MAX_ATTEMPTS, executeCommand, type ExecuteResult } from '../../app/exec.js';
import { executeCommands } from '../../app/exec-many.js';
import {
  DATA_FORMATS,
  type Format,
  type FormatFlags,
  withFormatOptions,
} from '../output/formats.js';
import { describeSource, readAll, readLines } from '../input.js';
import type { CliIo } from '../io.js';
import { formatOf, type Run, startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { printEvents, printRows } from '../output/print.js';
import { traceTo } from './exec-trace.js';

interface ExecFlags extends FormatFlags {
  dryRun?: boolean;
  trace?: boolean;
  correlationId?: string;
  maxAttempts?: string;
  file?: string;
}

export function registerExec(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('exec')
      .description(
        'handle a command through the domain module: fold its stream, decide, append the events (re-deciding on a conflict)',
      )
      .argument('[command]', 'command type, e.g. Deposit (not with --file)')
      .argument('[data]', 'command data as a JSON object; - or absent: read stdin')
      .option(
        '--file <file>',
        'run many commands in one process: NDJSON, one {"command","data"} per line (- = stdin); stops at the first failure',
      )
      .option('--dry-run', 'decide and print the events it would append; append nothing')
      .option('--trace', 'show the events read, the state, the decision and the append (stderr)')
      .option('--correlation-id <id>', "stored in each event's metadata (default: a new UUID)")
      .option(
        '--max-attempts <n>',
        `read and decide at most this many times when other writers conflict (default ${DEFAULT_MAX_ATTEMPTS})`,
      ),
    DATA_FORMATS,
  ).action(
    async (
      type: string | undefined,
      data: string | undefined,
      flags: ExecFlags,
      command: Command,
    ) => {
      const run = startRun(command, io);
      const format = formatOf(run, flags, DATA_FORMATS);
      const maxAttempts =
        flags.maxAttempts === undefined
          ? DEFAULT_MAX_ATTEMPTS
          : parsePositiveInteger('--max-attempts', flags.maxAttempts);
      if (flags.file !== undefined) {
        if (type !== undefined) throw new InputError('give COMMAND [DATA] or --file, not both');
        await execFile(run, format, flags.file, flags, maxAttempts);
        return;
      }
      if (type === undefined) {
        throw new InputError('missing COMMAND: give a command type (e.g. Deposit), or --file FILE');
      }
      const correlationId = correlationIdOf(flags.correlationId);
      const commandData = await readCommandData(run, data);
      // Loaded before the store is opened: a broken module changes nothing.
      const domain = await domainLoader(run)();
      // A dry run changes nothing, not even by creating the store: with none, decide against
      // an empty one in memory.
      const result = await withApp(run, { store: flags.dryRun ? 'peek' : 'create' }, (app) =>
        executeCommand(
          { ...app, domain },
          { type, data: commandData },
          {
            correlationId,
            maxAttempts,
            dryRun: flags.dryRun === true,
            observe: flags.trace ? traceTo(io.stderr, run.ctx.color) : undefined,
          },
        ),
      );
      await printOutcome(run, format, type, result, flags.dryRun === true);
    },
  );
}

/** What one command prints, alone or as a line of `--file`. */
async function printOutcome(
  run: Run,
  format: Format,
  type: string,
  result: ExecuteResult,
  dryRun: boolean,
): Promise<void> {
  if (dryRun) {
    run.note(`dry run: nothing appended to ${result.stream}`);
    await printProposed(run, format, result);
  } else {
    if (result.appended.length === 0) run.note(`${type} decided no events; nothing appended`);
    await printEvents(run.out, format, [result.appended]);
  }
}

/**
 * `exec --file`: each line as one `exec` would run it, printing what that exec prints, and
 * stopping at the first failure with its error and exit code, as `set -e` over one exec per
 * line would. One process, one domain load and one open store for all of them.
 */
async function execFile(
  run: Run,
  format: Format,
  file: string,
  flags: ExecFlags,
  maxAttempts: number,
): Promise<void> {
  // Opened before the store is (and maybe created): a typo changes nothing.
  const lines = readLines(file, run.io);
  const domain = await domainLoader(run)();
  await withApp(run, { store: flags.dryRun ? 'peek' : 'create' }, async (app) => {
    const results = executeCommands({ ...app, domain }, lines, {
      source: describeSource(file),
      correlationId: flags.correlationId,
      maxAttempts,
      dryRun: flags.dryRun === true,
      observe: flags.trace ? traceTo(run.io.stderr, run.ctx.color) : undefined,
    });
    for await (const { type, result } of results) {
      await printOutcome(run, format, type, result, flags.dryRun === true);
    }
  });
}

async function readCommandData(run: Run, data: string | undefined): Promise<JsonObject> {
  if (data === undefined && run.stdinIsTTY) {
    throw new InputError(
      'missing DATA: give the command data as a JSON object, or pipe it on stdin',
    );
  }
  const text = data === undefined || data === '-' ? await readAll('-', run.io) : data;
  if (text.trim() === '') throw new InputError('missing DATA: stdin was empty');
  return parseJsonObject(text, 'DATA');
}

/** A dry run's events have no position, id or time yet: only where they would land. */
async function printProposed(run: Run, format: Format, result: ExecuteResult): Promise<void> {
  const rows = result.decided.map((event, index) => ({
    stream: result.stream,
    version: result.versionRead + index + 1,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  }));
  await printRows(run.out, format, rows, ['stream', 'version', 'type', 'data', 'metadata']);
}
