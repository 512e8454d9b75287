import type { Command } from 'commander';
import { shownLocation } from '../../app/open.js';
import { deleteStream, restoreStream, streamToChange } from '../../app/streams-delete.js';
import { validateName } from '../../core/input.js';
import { confirm } from '../confirm.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printLifecycleResult, REBUILD_HINT } from '../output/lifecycle.js';

interface DeleteFlags extends FormatFlags {
  hard?: boolean;
  yes?: boolean;
}

/** `streams delete` and `streams restore`, under `streams`. */
export function registerStreamsDelete(streams: Command, io: CliIo): void {
  withFormatOptions(
    streams
      .command('delete')
      .description(
        'delete a stream: hidden from streams, read, state and exec, its events kept in the log (restore brings it back); --hard removes its events for good. Audited; asks first (--yes for scripts)',
      )
      .argument('<stream>', 'stream name, e.g. account-a1')
      .option('--hard', 'remove its events from the store for good; no restore')
      .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)'),
    DATA_FORMATS,
  ).action(async (stream: string, flags: DeleteFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('stream', stream);
    const hard = flags.hard === true;
    await withApp(run, { store: 'existing' }, async (app) => {
      const version = await streamToChange(app, stream, { hard });
      const where = shownLocation(run.ctx.locations.db);
      await confirm(
        run,
        hard
          ? `delete removes the ${version} events of stream "${stream}" from ${where} for good`
          : `delete hides stream "${stream}" (version ${version}) in ${where}; its events stay in the log`,
        flags.yes,
      );
      const result = await deleteStream(app, stream, { hard });
      await printLifecycleResult(
        run,
        format,
        result,
        hard
          ? `deleted stream "${stream}" for good: ${version} event${version === 1 ? '' : 's'} removed`
          : `deleted stream "${stream}" at version ${version}`,
        hard ? REBUILD_HINT : `"eventlite streams restore ${stream}" brings it back`,
      );
    });
  });

  withFormatOptions(
    streams
      .command('restore')
      .description('bring back a stream that streams delete (without --hard) hid. Audited')
      .argument('<stream>', 'stream name, e.g. account-a1'),
    DATA_FORMATS,
  ).action(async (stream: string, flags: FormatFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('stream', stream);
    await withApp(run, { store: 'existing' }, async (app) => {
      const result = await restoreStream(app, stream);
      const version = result.audit.data.version as number;
      await printLifecycleResult(
        run,
        format,
        result,
        `restored stream "${stream}" at version ${version}`,
      );
    });
  });
}
