import type { Command } from 'commander';
import { parseNonNegativeInteger, validateName } from '../../core/input.js';
import { streamState } from '../../app/state.js';
import { DATA_FORMATS, type FormatFlags, withFormatOptions } from '../output/formats.js';
import type { CliIo } from '../io.js';
import { formatOf, startRun } from '../run.js';
import { domainLoader, withApp } from '../with-app.js';
import { printable, printableJson } from '../output/printable.js';

interface StateFlags extends FormatFlags {
  at?: string;
}

export function registerState(program: Command, io: CliIo): void {
  withFormatOptions(
    program
      .command('state')
      .description("print the state the owning decider folds from a stream's events")
      .argument('<stream>', 'stream name, e.g. account-acc-1')
      .option('--at <version>', 'the state as of this version (0: the initial state)'),
    DATA_FORMATS,
  ).action(async (stream: string, flags: StateFlags, command: Command) => {
    const run = startRun(command, io);
    const format = formatOf(run, flags, DATA_FORMATS);
    validateName('stream', stream);
    const at = flags.at === undefined ? undefined : parseNonNegativeInteger('--at', flags.at);
    const domain = await domainLoader(run)();
    const folded = await withApp(run, { store: 'existing' }, (app) =>
      streamState({ ...app, domain }, stream, { at }),
    );
    // JSON forms print the state itself, one line, so `| jq .balance` works.
    if (format === 'table') {
      const { style } = run.out;
      await run.out.line(
        style.dim(
          printable(`${folded.stream} at version ${folded.version} (decider ${folded.decider})`),
        ),
      );
      await run.out.line(printableJson(JSON.stringify(folded.state, null, 2) ?? 'undefined'));
    } else {
      await run.out.line(JSON.stringify(folded.state) ?? 'null');
    }
    await run.out.flush();
  });
}
