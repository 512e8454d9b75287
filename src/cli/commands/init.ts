import { Option, type Command } from 'commander';
import { EXAMPLES } from '../../app/examples.js';
import { initStore } from '../../app/init.js';
import { shownLocation } from '../../app/open.js';
import { type CliIo, startRun } from '../io.js';

interface InitFlags {
  example?: string;
  force?: boolean;
}

export function registerInit(program: Command, io: CliIo): void {
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
    .option(
      '--force',
      "with --example: overwrite its files that are already there, and remove another example's (as shipped)",
    )
    .action(async (flags: InitFlags, command: Command) => {
      const run = startRun(command, io);
      const { written, removed, otherSpecs } = await initStore(run.ctx.locations, {
        example: flags.example,
        force: flags.force === true,
      });
      run.note(`event store ready at ${shownLocation(run.ctx.locations.db)}`);
      if (flags.example !== undefined) {
        run.note(`wrote the ${flags.example} example: ${written.join(', ')}`);
        for (const { example, files } of removed) {
          run.note(`removed the ${example} example's ${files.join(', ')}`);
        }
        if (otherSpecs.length > 0) {
          io.stderr.write(
            `warning: ${otherSpecs.join(', ')} ${otherSpecs.length === 1 ? 'is' : 'are'} not the ${flags.example} example's; eventlite test runs ${otherSpecs.length === 1 ? 'it' : 'them'} too\n`,
          );
        }
        run.note(
          'try: eventlite replay scenario.ndjson --keep-going, eventlite streams, eventlite test',
        );
      }
    });
}
