import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { countStore, STORE_SCHEMA_VERSION } from '../../store/index.js';
import { withFormatOptions } from '../format-options.js';
import { DATA_FORMATS, type FormatFlags } from '../formats.js';
import { type CliStreams, formatOf, startRun, withStore } from '../io.js';
import { printRecord } from '../print.js';

export function registerStatus(program: Command, streams: CliStreams): void {
  withFormatOptions(
    program.command('status').description('head position, stream and event counts, file sizes'),
    DATA_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, streams);
    const format = formatOf(run, flags, DATA_FORMATS);
    const counts = await withStore(run.ctx, { create: false }, (db) => countStore(db));
    await printRecord(run.out, format, {
      ...counts,
      schemaVersion: STORE_SCHEMA_VERSION,
      store: run.ctx.dbPath,
      storeBytes: fileSize(run.ctx.dbPath) + fileSize(`${run.ctx.dbPath}-wal`),
      readDb: run.ctx.readDbPath,
      readDbBytes: fileSize(run.ctx.readDbPath) + fileSize(`${run.ctx.readDbPath}-wal`),
    });
  });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
