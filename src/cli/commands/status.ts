import type { Command } from 'commander';
import { readModelsBytes, shownLocation } from '../../app/open.js';
import { storeStatus, type RecordedLag } from '../../app/status.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printRecord } from '../output/print.js';

export function registerStatus(program: Command, io: CliIo): void {
  withFormatOptions(
    program.command('status').description('head position, stream and event counts, file sizes'),
    DATA_FORMATS,
  ).action(async (flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    // Projection lag, when the read models exist: as recorded there, no domain needed.
    const status = await withApp(run, { store: 'existing', read: 'read' }, storeStatus);
    const { projections, ...counts } = status;
    await printRecord(run.out, format, {
      head: counts.head,
      streams: counts.streams,
      events: counts.events,
      schemaVersion: counts.schemaVersion,
      store: shownLocation(run.ctx.locations.db),
      storeBytes: counts.storeBytes,
      readDb: shownLocation(run.ctx.locations.readDb),
      readDbBytes: readModelsBytes(run.ctx.locations),
      ...(projections && {
        maxLag: Math.max(0, ...projections.map((projection) => projection.lag)),
        projections: format === 'table' ? projectionSummary(projections) : projections,
      }),
    });
  });
}

function projectionSummary(projections: readonly RecordedLag[]): string {
  return projections
    .map((projection) => `${projection.name} (${projection.status}, lag ${projection.lag})`)
    .join(', ');
}
