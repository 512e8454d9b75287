import { Command } from 'commander';
import { registerAppend } from './commands/append.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerLog } from './commands/log.js';
import { registerRead } from './commands/read.js';
import { registerStatus } from './commands/status.js';
import { registerStreams } from './commands/streams.js';
import { registerVerify } from './commands/verify.js';
import { registerDomainCommands } from './commands/domain-commands.js';
import { registerProjectionCommands } from './commands/projection-commands.js';
import type { CliStreams } from './io.js';
import { VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    unexpected failure (a bug, an I/O error, a corrupt or foreign database file)
  2    usage or bad input (unknown flag, malformed JSON, a query that writes or fails)
  3    concurrency conflict (expected version did not match; duplicate event id)
  4    the domain rejected the command
  5    not found (stream, command, projection or file)
  6    not yet: the store stayed locked, or a wait timed out; safe to retry
  130  interrupted

Environment: EVENTLITE_DB, EVENTLITE_READ_DB, EVENTLITE_DOMAIN, NO_COLOR.`;

export function buildProgram(streams: CliStreams): Command {
  const program = new Command('eventlite')
    .description(
      'An event store and projection tool over SQLite: CQRS and event sourcing from a terminal.',
    )
    .version(VERSION, '-V, --version')
    .option('--db <path>', 'event store file (env EVENTLITE_DB)', undefined)
    .option(
      '--read-db <path>',
      'read models file (env EVENTLITE_READ_DB; default: beside the store, .db → .read.db)',
    )
    .option(
      '--domain <path>',
      'domain module (env EVENTLITE_DOMAIN; default: ./eventlite.config.{ts,mts,js,mjs})',
    )
    .option('--no-color', 'no colour (also when NO_COLOR is set or output is not a terminal)')
    .option('-q, --quiet', 'no progress, spinners or summaries on stderr')
    .option('--debug', 'print the stack trace of a failure')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .configureHelp({ showGlobalOptions: true });

  registerInit(program, streams);
  registerAppend(program, streams);
  registerStreams(program, streams);
  registerRead(program, streams);
  registerLog(program, streams);
  registerExport(program, streams);
  registerImport(program, streams);
  registerStatus(program, streams);
  registerVerify(program, streams);
  registerDomainCommands(program, streams);
  registerProjectionCommands(program, streams);
  return program;
}
