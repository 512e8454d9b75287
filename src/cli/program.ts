import { Command, type HelpContext } from 'commander';
import { addExamples, nestedCommandHelp } from './help.js';
import type { CliIo } from './io.js';
import { commandWordIndex } from './command-word.js';
import { printableLines } from './output/printable.js';
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
  130  interrupted by Ctrl-C (SIGINT); what was committed stays committed
  143  stopped by SIGTERM, the same clean stop

Environment: EVENTLITE_DB, EVENTLITE_READ_DB, EVENTLITE_DOMAIN, EVENTLITE_QUERY_ROLE,
EVENTLITE_QUERY_DB, EVENTLITE_CLOCK, NO_COLOR.`;

/** Commander's width for help that is not going to a terminal. */
const HELP_WIDTH = 80;

type Register = (program: Command, io: CliIo) => void;

// Each command's module is imported only when that command runs (or when help lists them
// all): a store-only command like `streams` then loads a fraction of the code, which is most
// of what start-up costs beyond Node itself. The order here is the order of `--help`.
const COMMANDS: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  append: async () => (await import('./commands/append.js')).registerAppend,
  streams: async () => (await import('./commands/streams.js')).registerStreams,
  types: async () => (await import('./commands/types.js')).registerTypes,
  read: async () => (await import('./commands/read.js')).registerRead,
  log: async () => (await import('./commands/log.js')).registerLog,
  export: async () => (await import('./commands/export.js')).registerExport,
  import: async () => (await import('./commands/import.js')).registerImport,
  status: async () => (await import('./commands/status.js')).registerStatus,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  exec: async () => (await import('./commands/exec.js')).registerExec,
  state: async () => (await import('./commands/state.js')).registerState,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  test: async () => (await import('./commands/test-specs.js')).registerTest,
  check: async () => (await import('./commands/check.js')).registerCheck,
  projections: async () => (await import('./commands/projection-commands.js')).registerProjections,
  subscribe: async () => (await import('./commands/subscribe.js')).registerSubscribe,
  subscriptions: async () => (await import('./commands/subscriptions.js')).registerSubscriptions,
  query: async () => (await import('./commands/query.js')).registerQuery,
  tables: async () => (await import('./commands/tables.js')).registerTables,
  diagram: async () => (await import('./commands/diagram.js')).registerDiagram,
  ui: async () => (await import('./commands/ui.js')).registerUi,
  completion: async () => (await import('./commands/completion.js')).registerCompletion,
  redact: async () => (await import('./commands/redact.js')).registerRedact,
  forget: async () => (await import('./commands/forget.js')).registerForget,
  reset: async () => (await import('./commands/reset.js')).registerReset,
};

/**
 * Commands with a `--version` option of their own (`redact --version V`). Commander lets the
 * program's options win wherever they stand, so the program's `-V, --version` is left out when
 * one of these is the command named.
 */
const OWN_VERSION_OPTION = new Set(['redact']);

/** The command named on the line, alone; all of them for help, no command or an unknown one. */
function commandsToRegister(argv: readonly string[] | undefined): string[] {
  const all = Object.keys(COMMANDS);
  const name = argv?.[commandWordIndex(argv)];
  // A completion script names every command, so `completion` needs them all.
  return name !== undefined && Object.hasOwn(COMMANDS, name) && name !== 'completion'
    ? [name]
    : all;
}

/** The whole program, or (given argv) the program with just the command argv names. */
export async function buildProgram(
  io: CliIo,
  argv?: readonly string[],
  options: { quietErrors?: boolean } = {},
): Promise<Command> {
  const names = commandsToRegister(argv);
  const program = new Command('eventlite').description(
    'An event store and projection tool over SQLite or PostgreSQL: CQRS and event sourcing from a terminal.',
  );
  if (!(names.length === 1 && OWN_VERSION_OPTION.has(names[0]!))) {
    program.version(VERSION, '-V, --version');
  }
  program
    .option(
      '--db <path|url>',
      'event store: a SQLite file, or a postgres:// URL (env EVENTLITE_DB)',
      undefined,
    )
    .option(
      '--read-db <path|url>',
      'read models (env EVENTLITE_READ_DB; default: beside a SQLite store, .db → .read.db; ' +
        'in the same PostgreSQL database, schema eventlite_read)',
    )
    .option(
      '--domain <path>',
      'domain module (env EVENTLITE_DOMAIN; default: ./eventlite.config.{ts,mts,js,mjs})',
    )
    .option(
      '--query-role <role>',
      'PostgreSQL: queries log in as this role, one that may only read the read models (default: the login eventlite makes; env EVENTLITE_QUERY_ROLE)',
    )
    .option(
      '--query-db <url>',
      "PostgreSQL: a hot standby of the read database's server that query and tables read, and projections wait waits for (env EVENTLITE_QUERY_DB)",
    )
    .option(
      '--clock <time>',
      'record events as if the time were this ISO 8601 instant, one second later for each append (env EVENTLITE_CLOCK)',
    )
    .option('--no-color', 'no colour (also when NO_COLOR is set or output is not a terminal)')
    .option('-q, --quiet', 'no progress, spinners or summaries on stderr')
    .option('--debug', 'print the stack trace of a failure')
    .addHelpText('after', EXIT_CODES_HELP)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander's messages quote what was typed: an unknown command, a bad value.
      writeErr: (text) => io.stderr.write(printableLines(text)),
      // Laid out for the streams given, not the process's: a pipe gets the width
      // dist/help-texts.json was saved at (scripts/startup/help-texts.mjs).
      getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns) || HELP_WIDTH,
      getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns) || HELP_WIDTH,
      // With JSON errors, runCli reports a usage error itself, as one JSON object.
      outputError: (text, write) => {
        if (!options.quietErrors) write(text);
      },
    })
    .configureHelp({ showGlobalOptions: true, ...nestedCommandHelp });

  // With no command (`eventlite`, `eventlite --db x.db`, `eventlite help`) commander prints
  // the help to stderr, as for a mistake. It was asked for: on stdout with exit 0, as gh does,
  // so that `eventlite | less` shows it. `help NAME` of no command stays a usage error.
  const help = program.help.bind(program) as (context?: HelpContext) => never;
  program.help = ((context?: HelpContext) => {
    const [word, name] = program.args;
    if (word === 'help' && name !== undefined && !program.commands.some((c) => c.name() === name)) {
      program.error(`error: unknown command '${name}'`, { code: 'commander.unknownCommand' });
    }
    return help({ ...context, error: false });
  }) as Command['help'];

  const registers = await Promise.all(names.map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, io);
  addExamples(program);
  return program;
}
