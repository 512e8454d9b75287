import type { Command } from 'commander';
import { correlationIdOf } from '../../app/correlation.js';
import { DEFAULT_MAX_ATTEMPTS } from '../../app/exec.js';
import { CAUGHT_UP } from '../../app/log.js';
import { replayLines, type ReplayStep } from '../../app/replay.js';
import { EventliteError, InputError, withMessage } from '../../core/errors.js';
import { parseNonNegativeInteger, parsePositiveInteger } from '../../core/input.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import { describeSource, readLines } from '../input.js';
import type { CliIo } from '../io.js';
import { formatOf, type Run, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';
import { printableLines } from '../output/printable.js';
import { continuation } from './replay-continue.js';
import { openEnterReader, Stepper } from './replay-step.js';

interface ReplayFlags extends FormatFlags {
  delay?: string;
  keepGoing?: boolean;
  correlationId?: string;
  step?: boolean;
  fromLine?: string;
  untilLine?: string;
}

interface Tally {
  applied: number;
  rejected: number;
  failed: number;
  events: number;
  /** The first failure that was not a rejection: it decides the exit status with --keep-going. */
  firstError?: EventliteError;
}

export function registerReplay(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('replay')
      .description(
        'feed a scenario line by line: commands {"command","data"} and raw events {"stream","type","data"}',
      )
      .argument('<file>', 'NDJSON scenario file; - reads stdin')
      .option('--delay <ms>', 'pause between lines, to pace a live demo')
      .option(
        '--keep-going',
        'go on after a failed line; exit 0 if the only failures are rejections',
      )
      .option('--correlation-id <id>', "stored in every event's metadata (default: a new UUID)")
      .option(
        '--step',
        'one line at a time, waiting for Enter (q stops and prints the command that goes on): the line, the state before and after, the events, the read-model rows that changed',
      )
      .option(
        '--from-line <n>',
        'start at this line of the file (lines counted as an editor counts them, comments and blanks too); earlier lines\' "at" times carry over',
      )
      .option('--until-line <n>', 'stop after this line of the file'),
    DATA_FORMATS,
  ).action(async (file: string, flags: ReplayFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    const delayMs = flags.delay === undefined ? 0 : parseNonNegativeInteger('--delay', flags.delay);
    const correlationId = correlationIdOf(flags.correlationId);
    const source = describeSource(file);
    const { fromLine, untilLine } = lineRange(flags);
    if (flags.step && file === '-') {
      throw new InputError('--step reads Enter from stdin, so the scenario must be a file, not -');
    }
    // Opened before the store is (and maybe created): a typo changes nothing.
    const lines = readLines(file, io);
    const enter = flags.step ? await openEnterReader(io, run) : undefined;
    let stepper: Stepper | undefined;
    const showProgress = run.stderrIsTTY && !run.ctx.quiet && !flags.step;
    const tally: Tally = { applied: 0, rejected: 0, failed: 0, events: 0 };
    let lastFailure: EventliteError | undefined;
    const clearProgress = () => {
      if (showProgress) io.stderr.write('\r\x1b[K');
    };

    // Events print as each line lands (CAUGHT_UP makes printEvents flush), so a paced demo
    // shows them live; failures and progress go to stderr.
    async function* eventsOf(steps: AsyncIterable<ReplayStep>) {
      for await (const step of steps) {
        clearProgress();
        if (step.kind === 'applied') {
          tally.applied += 1;
          tally.events += step.events.length;
          if (stepper) await stepper.after(step);
          else yield step.events;
        } else {
          if (step.rejected) tally.rejected += 1;
          else tally.failed += 1;
          if (!step.rejected) tally.firstError ??= step.error;
          lastFailure = step.error;
          if (stepper) await stepper.after(step);
          if (flags.keepGoing) io.stderr.write(`${printableLines(step.error.message)}\n`);
        }
        yield CAUGHT_UP;
        if (showProgress) io.stderr.write(`${step.where}  ${summary(tally)}`);
      }
    }

    // No signal handler (see signals.ts): Ctrl-C or SIGTERM ends the replay at once, even in
    // a decider that never returns; the line it was on rolls back, the lines before stay.
    try {
      await withApp(run, { store: 'create', read: enter && 'write' }, async (app) => {
        stepper = enter && new Stepper(app, run, enter);
        const steps = replayLines(app, lines, {
          source,
          correlationId,
          keepGoing: flags.keepGoing === true,
          delayMs,
          maxAttempts: DEFAULT_MAX_ATTEMPTS,
          beforeLine: stepper?.before,
          fromLine,
          untilLine,
        });
        try {
          await printEvents(run.out, format, eventsOf(steps));
        } finally {
          clearProgress();
        }
        // Thrown in here, while the store is open: a replay that fails with no event stored
        // takes back the store it created, as a failing exec or import does.
        const stoppedBefore = stepper?.stoppedBefore;
        const goOn =
          stoppedBefore === undefined
            ? undefined
            : continuation(command, { file, fromLine: stoppedBefore, correlationId });
        reportOutcome(run, source, tally, flags.keepGoing ? undefined : lastFailure, goOn);
      });
    } finally {
      enter?.close();
    }
  });
}

/**
 * The summary line, and after a `q` the command that goes on; then the failure that decides
 * the exit status, if any.
 */
function reportOutcome(
  run: Run,
  source: string,
  tally: Tally,
  stoppedBy: EventliteError | undefined,
  goOn: string | undefined,
): void {
  run.note(`replayed ${source}: ${summary(tally)}`);
  if (goOn !== undefined) run.note(`to go on: ${goOn}`);
  if (stoppedBy) throw stoppedBy;
  if (tally.firstError) {
    const failures = tally.failed === 1 ? '1 line failed' : `${tally.failed} lines failed`;
    throw withMessage(tally.firstError, `${failures}; the first: ${tally.firstError.message}`);
  }
}

function lineRange(flags: ReplayFlags): { fromLine?: number; untilLine?: number } {
  const fromLine =
    flags.fromLine === undefined ? undefined : parsePositiveInteger('--from-line', flags.fromLine);
  const untilLine =
    flags.untilLine === undefined
      ? undefined
      : parsePositiveInteger('--until-line', flags.untilLine);
  if (fromLine !== undefined && untilLine !== undefined && untilLine < fromLine) {
    throw new InputError(`--until-line ${untilLine} is before --from-line ${fromLine}`);
  }
  return { fromLine, untilLine };
}

function summary(tally: Tally): string {
  const failed = tally.failed > 0 ? `, ${tally.failed} failed` : '';
  return (
    `${tally.applied} applied, ${tally.rejected} rejected${failed}, ` +
    `${tally.events === 1 ? '1 event' : `${tally.events} events`} appended`
  );
}
