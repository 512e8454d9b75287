import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../app/context.js';
import type { Line } from '../../app/lines.js';
import { openEventStore, openReadStore, shownLocation } from '../../app/open.js';
import { InputError } from '../../core/errors.js';
import type { EventStore, ReadStore } from '../../core/ports.js';
import { commandExamples } from '../../ui/examples.js';
import { startUiServer } from '../../ui/server.js';
import { messageOf } from '../../ui/http.js';
import { renderSvg } from '../diagram-svg.js';
import { describeSource, readLines } from '../input.js';
import type { CliIo } from '../io.js';
import { printableLines } from '../output/printable.js';
import { type Run, startRun } from '../run.js';
import { VERSION } from '../version.js';
import { domainLoader } from '../with-app.js';

interface UiFlags {
  port: string;
  host: string;
  open?: boolean;
  allowExec?: boolean;
  replay?: string;
  projections: boolean;
}

const DEFAULT_PORT = '8765';

export function registerUi(program: Command, io: CliIo): void {
  program
    .command('ui')
    .description(
      'serve a live page of the log, the read models, the streams and the domain on 127.0.0.1 (Ctrl-C stops)',
    )
    .option('--port <port>', 'port to serve on; 0 takes any free one', DEFAULT_PORT)
    .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .option('--open', 'open the page in a browser')
    .option(
      '--allow-exec',
      'let the page run commands, with the token printed here (Authorization: Bearer TOKEN)',
    )
    .option(
      '--replay <file>',
      "step mode: the scenario's lines, run one at a time by the page's Next",
    )
    .option(
      '--no-projections',
      'only show the read models as they are: do not keep the projections caught up',
    )
    .action(async (flags: UiFlags, command: Command) => {
      const run = startRun(command, io);
      const port = parsePort(flags.port);
      // Read before anything is opened: a typo changes nothing.
      const replay = flags.replay === undefined ? undefined : await scenario(run, flags.replay);
      const domain = run.ctx.domainPath === undefined ? undefined : await domainLoader(run)();
      const examples = commandExamples([...(replay?.lines ?? []), ...(await besideDomain(run))]);
      const runProjections = flags.projections && (domain?.projections ?? []).length > 0;
      const { locations } = run.ctx;
      const writes = flags.allowExec === true || replay !== undefined;
      const opened: (EventStore | ReadStore)[] = [];
      try {
        const writer = await openEventStore(locations, writes ? 'create' : 'existing');
        opened.push(writer);
        // The follower's own connection: on SQLite a connection does not see its own commits
        // move the change marker, and the page must see the commands it ran.
        const follower = await openEventStore(locations, 'existing');
        opened.push(follower);
        const read = await openReadStore(locations, runProjections ? 'write' : 'read');
        if (read) opened.push(read);
        const readLocation = shownLocation(locations.readDb);
        const base = { read, readLocation, domain, ...(run.ctx.clock && { clock: run.ctx.clock }) };
        const reader: AppContext = { ...base, store: follower };
        const server = await startUiServer({
          host: flags.host,
          port,
          reader,
          writer: { ...base, store: writer },
          locations,
          readLocation,
          about: {
            version: VERSION,
            backend: writer.backend,
            store: shownLocation(locations.db),
            readModels: readLocation,
          },
          allowExec: flags.allowExec === true,
          runProjections,
          openRead: read ? undefined : () => openReadStore(locations, 'read'),
          replay,
          examples,
          drawFlow: (flow) => renderSvg(flow, 'commands → events → projections → tables'),
          // A message may carry data (a stream's name, a domain's words): shown escaped.
          onError: (error) =>
            io.stderr.write(`eventlite ui: ${printableLines(messageOf(error))}\n`),
        });
        const address = server.token ? `${server.url}#token=${server.token}` : server.url;
        await run.out.line(address);
        await run.out.flush();
        note(run, server.url, {
          runProjections,
          domain: domain !== undefined,
          flags,
          token: server.token,
        });
        if (flags.open) openBrowser(run, address);
      } catch (error) {
        for (const store of opened.reverse()) await store.close().catch(() => {});
        throw error;
      }
      // Served until Ctrl-C or SIGTERM, which end the process (see signals.ts): what a command
      // or a catch-up committed stays, and a batch it was in rolls back.
      await new Promise(() => {});
    });
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new InputError(`--port must be a port number from 0 to 65535, got "${text}"`);
  }
  return Number(text);
}

async function scenario(run: Run, file: string): Promise<{ source: string; lines: Line[] }> {
  if (file === '-') throw new InputError('--replay takes a file, not -');
  const lines: Line[] = [];
  for await (const line of readLines(file, run.io)) lines.push(line);
  return { source: describeSource(file), lines };
}

/** The scenario beside the domain module (what `init --example` writes), for the command box's examples. */
async function besideDomain(run: Run): Promise<Line[]> {
  if (run.ctx.domainPath === undefined) return [];
  const file = join(dirname(resolve(run.io.cwd, run.ctx.domainPath)), 'scenario.ndjson');
  if (!existsSync(file)) return [];
  const lines: Line[] = [];
  for await (const line of readLines(file, run.io)) lines.push(line);
  return lines;
}

function note(
  run: Run,
  url: string,
  facts: { runProjections: boolean; domain: boolean; flags: UiFlags; token?: string },
): void {
  run.note(`eventlite ui: serving ${shownLocation(run.ctx.locations.db)} at ${url} (Ctrl-C stops)`);
  if (facts.runProjections) run.note('projections: kept caught up (--no-projections: only look)');
  else if (!facts.flags.projections) run.note('projections: not run here (--no-projections)');
  if (!facts.domain) run.note('no domain module: no commands, states or projections to run');
  if (facts.token)
    run.note(
      `token: ${facts.token} (the address above carries it; scripts send Authorization: Bearer TOKEN)`,
    );
  else run.note('read-only: --allow-exec lets the page run commands');
}

/** The system's opener, left to run on its own; a failure is a note, the page is still served. */
function openBrowser(run: Run, address: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [address]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', address]]
        : ['xdg-open', [address]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error) =>
    run.note(`could not open a browser (${error.message}): open ${address} yourself`),
  );
  child.unref();
}
