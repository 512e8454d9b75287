import { Option, type Command } from 'commander';
import { EXAMPLES, scaffoldExample } from '../../domain/examples.js';
import { type CliStreams, startRun, withStore } from '../io.js';

interface InitFlags {
  example?: string;
  force?: boolean;
}

export function registerInit(program: Command, streams: CliStreams): void {
  program
    .command('init')
    .description(
      'create the event store (does nothing to one that exists); --example scaffolds a runnable domain',
    )
    .addOption(
      new Option(
        '--example <name>',
        'write an example domain module, scenario and specs into the current folder',
      ).choices(EXAMPLES),
    )
    .option('--force', 'with --example: overwrite files that are already there')
    .action(async (flags: InitFlags, command: Command) => {
      const run = startRun(command, streams);
      // The files first: if they may not be written, nothing is created at all.
      const written =
        flags.example === undefined
          ? []
          : scaffoldExample(flags.example, process.cwd(), { force: flags.force === true });
      await withStore(run.ctx, { create: true }, () => {
        run.note(`event store ready at ${run.ctx.dbPath}`);
      });
      if (flags.example !== undefined) {
        run.note(`wrote the ${flags.example} example: ${written.join(', ')}`);
        run.note(
          'try: eventlite replay scenario.ndjson --keep-going, eventlite streams, eventlite test',
        );
      }
    });
}
