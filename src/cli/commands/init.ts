import { Option, type Command } from 'commander';
import { EXAMPLES } from '../../app/examples.js';
import { initStore } from '../../app/init.js';
import { shownLocation } from '../../app/open.js';
import { InputError } from '../../core/errors.js';
import type { CliIo } from '../io.js';
import { startRun } from '../run.js';

interface InitFlags {
  example?: string;
  force?: boolean;
}

export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description(
      'create the event store (does nothing to one that exists); --example scaffolds a runnable example, --domain NAME one of your own',
    )
    .addOption(
      new Option(
        '--example <name>',
        'write an example domain module, scenario and specs into the current folder',
      ).choices(EXAMPLES),
    )
    .option(
      '--force',
      "with --example or --domain: overwrite its files that are already there, and remove an example's (as shipped)",
    )
    .addHelpText(
      'after',
      `
With init, --domain NAME scaffolds a domain of your own named NAME (library, parking-lot)
rather than naming a module to load: a commented decider and projection in
eventlite.config.ts, a scenario, a spec, a tsconfig.json and node_modules/eventlite, so that
eventlite check, test and replay pass on it as written.`,
    )
    .action(async (flags: InitFlags, command: Command) => {
      const run = startRun(command, io);
      // The global --domain names the module other commands load; given to init on the
      // command line, it names a domain to scaffold (the environment's never does).
      const root = command.parent!;
      const domain = root.getOptionValueSource('domain') === 'cli' ? root.opts().domain : undefined;
      if (domain !== undefined && flags.example !== undefined) {
        throw new InputError('init takes --example NAME or --domain NAME, not both');
      }
      const { written, removed, otherSpecs } = await initStore(run.ctx.locations, {
        example: flags.example,
        domain,
        force: flags.force === true,
      });
      run.note(`event store ready at ${shownLocation(run.ctx.locations.db)}`);
      if (flags.example === undefined && domain === undefined) return;
      const what =
        flags.example === undefined ? `the ${domain} domain` : `the ${flags.example} example`;
      run.note(`wrote ${what}: ${written.join(', ')}`);
      for (const { example, files } of removed) {
        run.note(`removed the ${example} example's ${files.join(', ')}`);
      }
      if (otherSpecs.length > 0) {
        const [verb, pronoun] = otherSpecs.length === 1 ? ['was', 'it'] : ['were', 'them'];
        io.stderr.write(
          `warning: ${otherSpecs.join(', ')} ${verb} not written by init; eventlite test runs ${pronoun} too\n`,
        );
      }
      run.note(
        flags.example === undefined
          ? 'try: eventlite replay scenario.ndjson, eventlite test, eventlite check'
          : 'try: eventlite replay scenario.ndjson --keep-going, eventlite streams, eventlite test',
      );
    });
}
