import type { Command } from 'commander';
import { NotFoundError } from '../../core/errors.js';
import { parsePositiveInteger, validateName } from '../../core/input.js';
import { readLog, readStream, streamVersion, type StoredEvent } from '../../store/index.js';
import { type CliStreams, startRun, withStore } from '../io.js';
import { printEvents } from '../print.js';

interface ExportFlags {
  stream?: string;
  from?: string;
}

export function registerExport(program: Command, streams: CliStreams): void {
  program
    .command('export')
    .description('write events as NDJSON to stdout (for import, backups and jq)')
    .option('--stream <stream>', 'only this stream')
    .option('--from <position>', 'start at this global position (inclusive)')
    .action(async (flags: ExportFlags, command: Command) => {
      const run = startRun(command, streams);
      const from = flags.from === undefined ? 1 : parsePositiveInteger('--from', flags.from);
      await withStore(run.ctx, { create: false }, async (db) => {
        let events: Iterable<StoredEvent>;
        if (flags.stream === undefined) {
          events = readLog(db, { from });
        } else {
          const stream = validateName('stream', flags.stream);
          if (streamVersion(db, stream) === 0) {
            throw new NotFoundError(`stream "${stream}" does not exist`);
          }
          events = fromPosition(readStream(db, stream), from);
        }
        await printEvents(run.out, 'ndjson', events);
      });
    });
}

function* fromPosition(events: Iterable<StoredEvent>, from: number): Generator<StoredEvent> {
  for (const event of events) if (event.position >= from) yield event;
}
