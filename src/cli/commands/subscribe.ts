import { Option, type Command } from 'commander';
import { groupPlaceOf } from '../../app/subscriptions/consumer-group.js';
import { commandConsumer, type OutputTarget } from '../../app/subscriptions/consumer.js';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_BATCH_SIZE,
  DEFAULT_RETRIES,
  subscribe,
  validateSubscriptionName,
  type SubscribeResult,
} from '../../app/subscriptions/subscribe.js';
import { InputError, InterruptedError } from '../../core/errors.js';
import { parseNonNegativeInteger, parsePositiveInteger, validateName } from '../../core/input.js';
import type { ErrorPolicy } from '../../core/set-aside.js';
import { validateCategory } from '../../core/stream-names.js';
import { canonical, type SubscriptionFilter } from '../../core/subscriptions.js';
import type { OutStream } from '../output/fd-stream.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { gracefulStop } from '../signals.js';
import { withEventFilterOptions } from './log.js';

interface SubscribeFlags {
  batch?: string;
  follow?: boolean;
  from?: string;
  type: string[];
  category?: string;
  streamPrefix?: string;
  includeSystem?: boolean;
  member?: string;
  of?: string;
  onError?: ErrorPolicy;
  retries?: string;
  backoff?: string;
}

const POLICIES: readonly ErrorPolicy[] = ['stop', 'retry', 'skip', 'park'];

export function registerSubscribe(program: Command, io: CliIo): void {
  withEventFilterOptions(
    program
      .command('subscribe')
      .description(
        'run a command on each batch of events, as NDJSON on its stdin; the checkpoint moves past a batch once the command exits 0',
      )
      .argument('<name>', 'the subscription: made on first use, its checkpoint kept in the store')
      .argument('<command...>', 'the command and its arguments, after -- (run once per batch)')
      .option(
        '--batch <n>',
        `events per batch, one command run each (default ${DEFAULT_BATCH_SIZE})`,
      )
      .option('--follow', 'keep delivering as events arrive, until Ctrl-C or SIGTERM')
      .option(
        '--from <position>',
        'where a new subscription starts: a position, or "end" for new events only (default 1)',
      ),
  )
    .option(
      '--include-system',
      "also the store's own streams ($…: the audit events of deletes and redactions)",
    )
    .option(
      '--member <i>',
      'as member I (0 to N-1) of a consumer group: only its share of the streams',
    )
    .option('--of <n>', 'the consumer group has N members (with --member)')
    .addOption(
      new Option(
        '--on-error <policy>',
        'when the command fails: stop, retry (then stop), skip the event, or park it and its stream (default stop)',
      ).choices(POLICIES),
    )
    .option(
      '--retries <n>',
      `tries after a failure before the policy applies (default ${DEFAULT_RETRIES} with retry, else 0)`,
    )
    .option(
      '--backoff <ms>',
      `wait before the first retry, doubling each time (default ${DEFAULT_BACKOFF_MS})`,
    )
    .action(async (name: string, argv: string[], flags: SubscribeFlags, command: Command) => {
      const run = startRun(command, io);
      // Checked before anything is opened: bad input changes nothing.
      validateSubscriptionName(name);
      const options = {
        name,
        filter: filterOf(flags),
        group: groupPlaceOf(
          flags.member === undefined
            ? undefined
            : parseNonNegativeInteger('--member', flags.member),
          flags.of === undefined ? undefined : parsePositiveInteger('--of', flags.of),
        ),
        from: fromOf(flags.from),
        batchSize:
          flags.batch === undefined ? undefined : parsePositiveInteger('--batch', flags.batch),
        follow: flags.follow === true,
        onError: flags.onError,
        retries:
          flags.retries === undefined
            ? undefined
            : parseNonNegativeInteger('--retries', flags.retries),
        backoffMs:
          flags.backoff === undefined
            ? undefined
            : parseNonNegativeInteger('--backoff', flags.backoff),
        onNote: (text: string) => run.note(text),
      };
      const stops = gracefulStop((signal) =>
        run.note(
          `${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopping once the running batch is acknowledged (again to stop it now; it is then delivered again next time)`,
        ),
      );
      let result: SubscribeResult;
      try {
        const consumer = commandConsumer(argv, {
          cwd: io.cwd,
          env: io.env,
          stdout: outputOf(io.stdout),
          stderr: outputOf(io.stderr),
          force: stops.force,
        });
        result = await withApp(run, { store: 'existing', signal: stops.stop }, (app) =>
          subscribe(app, { ...options, consumer }),
        );
      } finally {
        stops.dispose();
      }
      run.note(summaryOf(result));
      if (result.interrupted) throw new InterruptedError('');
    });
}

function filterOf(flags: SubscribeFlags): SubscriptionFilter {
  for (const type of flags.type) validateName('event type', type);
  if (flags.streamPrefix === '') throw new InputError('--stream-prefix must not be empty');
  return canonical({
    types: flags.type,
    category: flags.category === undefined ? null : validateCategory('--category', flags.category),
    streamPrefix: flags.streamPrefix ?? null,
    systemStreams: flags.includeSystem === true,
  });
}

function fromOf(text: string | undefined): number | 'end' | undefined {
  if (text === undefined || text === 'end') return text;
  return parsePositiveInteger('--from', text);
}

/** The process's own descriptor when there is one: the command then writes it directly. */
function outputOf(stream: OutStream): OutputTarget {
  const fd = (stream as { fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : stream;
}

function summaryOf(result: SubscribeResult): string {
  const who =
    result.groupSize === 1
      ? `subscription "${result.name}"`
      : `subscription "${result.name}" (member ${result.member} of ${result.groupSize})`;
  const setAside =
    result.parked + result.skipped === 0
      ? ''
      : `, ${result.parked} parked, ${result.skipped} skipped`;
  const runs = `${result.runs} command run${result.runs === 1 ? '' : 's'}`;
  return `${who}: ${result.delivered} event${result.delivered === 1 ? '' : 's'} delivered (${runs}${setAside}); at position ${result.checkpoint}`;
}
