import type { Command } from 'commander';
import { shownLocation } from '../../app/open.js';
import { redactEvents } from '../../app/redact.js';
import { streamToChange } from '../../app/streams-delete.js';
import { InputError } from '../../core/errors.js';
import { parsePositiveInteger, validateName } from '../../core/input.js';
import { redactionPaths } from '../../core/redaction.js';
import { confirm } from '../confirm.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { withApp } from '../with-app.js';
import { printLifecycleResult, REBUILD_HINT } from '../output/lifecycle.js';

interface RedactFlags extends FormatFlags {
  field?: string[];
  version?: string[];
  yes?: boolean;
}

export function registerRedact(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('redact')
      .description(
        'replace data fields of a stream\'s events with "[redacted]" for good (position, version, id and type stay). Audited; asks first (--yes for scripts)',
      )
      .argument('<stream>', 'stream name, e.g. account-a1')
      .option('--field <path...>', 'a data field to redact: owner, or address.street (repeatable)')
      .option('--version <version...>', 'only the events at these versions (default: all)')
      .option('--yes', 'do not ask: the answer is yes (needed when stdin is not a terminal)'),
    DATA_FORMATS,
  ).action(async (stream: string, flags: RedactFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('stream', stream);
    const fields = flags.field ?? [];
    if (fields.length === 0) throw new InputError('give at least one --field to redact');
    redactionPaths(fields);
    const versions = flags.version?.map((text) => parsePositiveInteger('--version', text));
    await withApp(run, { store: 'existing' }, async (app) => {
      await streamToChange(app, stream, { hard: true });
      const which = versions ? `versions ${versions.join(', ')}` : 'every event';
      await confirm(
        run,
        `redact overwrites ${fields.join(', ')} in ${which} of stream "${stream}" in ${shownLocation(run.ctx.locations.db)} for good`,
        flags.yes,
      );
      const result = await redactEvents(app, stream, { fields, versions });
      const count = result.audit.data.events as number;
      await printLifecycleResult(
        run,
        format,
        result,
        `redacted ${fields.join(', ')} in ${count} event${count === 1 ? '' : 's'} of stream "${stream}"`,
        REBUILD_HINT,
      );
    });
  });
}
