import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exportEvents, exportKeys } from '../../app/read.js';
import { keyLine } from '../../core/key-file.js';
import { parsePositiveInteger } from '../../core/input.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printEvents } from '../output/print.js';

interface ExportFlags {
  stream?: string;
  from?: string;
  upcast?: boolean;
  keys?: string;
}

export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write events as NDJSON to stdout (for import, backups and jq)')
    .option('--stream <stream>', 'only this stream')
    .option('--from <position>', 'start at this global position (inclusive)')
    .option(
      '--upcast',
      "write events in today's shapes (old names renamed, data upcast): import them into a new store to leave the old shapes behind",
    )
    .option(
      '--keys <file>',
      'also write the keys of the sealed personal fields exported to this file, for import --keys (keep it apart from the events)',
    )
    .action(async (flags: ExportFlags, command: Command) => {
      const run = startRun(command, io);
      const from = flags.from === undefined ? 1 : parsePositiveInteger('--from', flags.from);
      await withApp(run, { store: 'existing' }, async (app) => {
        const exported = await exportEvents(app, {
          stream: flags.stream,
          from,
          upcast: flags.upcast === true,
        });
        await printEvents(run.out, 'ndjson', exported.pages);
        if (flags.keys === undefined) {
          if (exported.keyIds.size === 0) return;
          run.note(
            `the export holds personal fields sealed with ${exported.keyIds.size} subject key${exported.keyIds.size === 1 ? '' : 's'}, which it does not carry: without them they import as "[forgotten]" (give --keys FILE to write them)`,
          );
          return;
        }
        const keys = await exportKeys(app, exported.keyIds);
        const text = keys.map((key) => `${keyLine(key)}\n`).join('');
        // Readable by the owner only: with these, the sealed fields read as plaintext.
        writeFileSync(resolve(io.cwd, flags.keys), text, { mode: 0o600 });
        run.note(
          `wrote ${keys.length} subject key${keys.length === 1 ? '' : 's'} to ${flags.keys}`,
        );
      });
    });
}
