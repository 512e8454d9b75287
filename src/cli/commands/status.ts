import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { recordedLag } from '../../projections/index.js';
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
    const { counts, projections } = await withStore(run.ctx, { create: false }, (db) => ({
      counts: countStore(db),
      // Projection lag, when a read database exists: as recorded there, no domain needed.
      projections: recordedLag(db, run.ctx.readDbPath),
    }));
    await printRecord(run.out, format, {
      ...counts,
      schemaVersion: STORE_SCHEMA_VERSION,
      store: run.ctx.dbPath,
      storeBytes: fileSize(run.ctx.dbPath) + fileSize(`${run.ctx.dbPath}-wal`),
      readDb: run.ctx.readDbPath,
      readDbBytes: fileSize(run.ctx.readDbPath) + fileSize(`${run.ctx.readDbPath}-wal`),
      ...(projections && {
        maxLag: Math.max(0, ...projections.map((projection) => projection.lag)),
        projections: format === 'table' ? projectionSummary(projections) : projections,
      }),
    });
  });
}

function projectionSummary(projections: { name: string; lag: number; status: string }[]): string {
  return projections
    .map((projection) => `${projection.name} (${projection.status}, lag ${projection.lag})`)
    .join(', ');
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
