import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import { parseExpectedVersion } from '../../core/expected-version.js';
import {
  checkJsonLimits,
  parseJsonObject,
  parsePositiveInteger,
  validateEventId,
  validateName,
} from '../../core/input.js';
import { toNewEvent } from '../../core/new-event.js';
import { appendEvents } from '../../app/append.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import { describeSource, readAll, readLines } from '../input.js';
import type { CliIo } from '../io.js';
import { formatOf, type Run, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';

interface AppendFlags extends FormatFlags {
  file?: string;
  metadata?: string;
  id?: string;
  expectedVersion?: string;
  schemaVersion?: string;
}

export function registerAppend(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('append')
      .description(
        'append one event (DATA as JSON, - or absent: stdin), or many with --file, atomically',
      )
      .argument('<stream>', 'stream name, e.g. account-a1')
      .argument('[type]', 'event type, e.g. MoneyDeposited')
      .argument('[data]', 'event data as a JSON object; - or absent: read stdin')
      .option(
        '--file <file>',
        'append many events from NDJSON ({"type","data","metadata"?,"id"?,"schemaVersion"?} per line; - = stdin): all or none',
      )
      .option('--metadata <json>', 'event metadata as a JSON object')
      .option(
        '--id <uuid>',
        'event id (default: a new UUIDv7); a retry with the same id appends nothing',
      )
      .option('--expected-version <version>', 'N, any, no-stream or exists (default: any)')
      .option(
        '--schema-version <n>',
        "the version of its type's data shape the event is written in (default 1; see docs/evolution.md)",
      ),
    DATA_FORMATS,
  ).action(
    async (
      stream: string,
      type: string | undefined,
      data: string | undefined,
      flags: AppendFlags,
      command: Command,
    ) => {
      const run = startRun(command, io);
      const format = formatOf(run, flags, DATA_FORMATS);
      validateName('stream', stream);
      const expectedVersion =
        flags.expectedVersion === undefined ? 'any' : parseExpectedVersion(flags.expectedVersion);
      // Everything is read and checked before the store is opened: bad input changes nothing.
      const events =
        flags.file === undefined
          ? [await oneEvent(run, type, data, flags)]
          : await eventsFromFile(run, type, flags);
      const result = await withApp(run, { store: 'create' }, (app) =>
        appendEvents(app, stream, events, { expectedVersion }),
      );
      if (result.alreadyStored) {
        run.note(`already stored: ${stream} is at version ${result.version}; nothing appended`);
      }
      await printEvents(run.out, format, [result.events]);
    },
  );
}

async function oneEvent(
  run: Run,
  type: string | undefined,
  data: string | undefined,
  flags: AppendFlags,
): Promise<NewEvent> {
  if (type === undefined)
    throw new InputError('missing event TYPE (or use --file for many events)');
  validateName('event type', type);
  if (data === undefined && run.stdinIsTTY) {
    throw new InputError('missing DATA: give a JSON object, or pipe one on stdin');
  }
  const text = data === undefined || data === '-' ? await readAll('-', run.io) : data;
  const event: NewEvent = { type, data: parseJsonObject(text, 'DATA') };
  if (flags.metadata !== undefined) event.metadata = parseJsonObject(flags.metadata, '--metadata');
  if (flags.id !== undefined) event.id = validateEventId(flags.id, '--id');
  if (flags.schemaVersion !== undefined) {
    event.schemaVersion = parsePositiveInteger('--schema-version', flags.schemaVersion);
  }
  return event;
}

async function eventsFromFile(
  run: Run,
  type: string | undefined,
  flags: AppendFlags,
): Promise<NewEvent[]> {
  if (type !== undefined) {
    throw new InputError('with --file, give only the STREAM: each line names its own type');
  }
  if (flags.metadata !== undefined || flags.id !== undefined || flags.schemaVersion !== undefined) {
    throw new InputError(
      '--metadata, --id and --schema-version apply to one event; with --file put them on each line',
    );
  }
  const file = flags.file!;
  const source = describeSource(file);
  const events: NewEvent[] = [];
  for await (const line of readLines(file, run.io)) {
    const where = `${source}:${line.number}`;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      throw new InputError(`${where}: not valid JSON: ${(error as Error).message}`);
    }
    checkJsonLimits(value, line.text, where, { envelope: true });
    events.push(toNewEvent(value, where));
  }
  if (events.length === 0) throw new InputError(`${source} holds no events`);
  return events;
}
