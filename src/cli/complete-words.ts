import { COMPLETION_KINDS, type CompletionKind } from '../app/completion-words.js';
import { commandWordIndex, GLOBAL_OPTIONS_WITH_VALUE } from './command-word.js';
import { contextOf, type Context, type GlobalFlags } from './context.js';
import type { CliIo } from './io.js';

// `eventlite [global flags] __complete KIND [WORD]`: what the completion scripts call for the
// words that are the user's, not the program's (`exec <TAB>`, `read <TAB>`): the domain's
// commands and projections, the store's streams, the read tables, one per line, those that
// start with WORD. It writes nothing anywhere: the store and the read models are opened
// read-only (and not at all when missing), compiled TypeScript is used from the cache but not
// kept. Run before the program is built, to answer quickly; never an error on the terminal.

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\s\u0000-\u001f\u007f-\u009f]/;

/** At most this many streams: a shell lists them all, which a million would not help. */
const MAX_STREAMS = 200;

export async function completeWords(argv: readonly string[], io: CliIo): Promise<number> {
  const at = commandWordIndex(argv);
  const [kind, word = ''] = argv.slice(at + 1);
  try {
    if (!(COMPLETION_KINDS as readonly string[]).includes(kind ?? '')) return 2;
    const ctx = contextOf(globalFlags(argv.slice(0, at)), io.env, io.cwd);
    const words = await wordsOf(kind as CompletionKind, ctx, word, io);
    // A word the shell would split, or that holds a control character, is left out.
    const offered = words.filter((name) => name.startsWith(word) && !UNSAFE.test(name));
    io.stdout.write(offered.map((name) => `${name}\n`).join(''));
    return 0;
  } catch {
    // No domain module, no store yet, a server away: nothing to offer, and nothing to say
    // in the middle of the user's command line.
    return 1;
  }
}

async function wordsOf(
  kind: CompletionKind,
  ctx: Context,
  word: string,
  io: CliIo,
): Promise<string[]> {
  if (kind === 'commands' || kind === 'projections') {
    if (ctx.domainPath === undefined) return [];
    const [{ loadDomain }, { domainNames }] = await Promise.all([
      import('../app/load-domain.js'),
      import('../app/completion-words.js'),
    ]);
    const domain = await loadDomain(ctx.domainPath, io.cwd, { env: io.env, writeCache: false });
    return domainNames(domain, kind).sort();
  }
  if (kind === 'streams') {
    const [{ withEventStore }, { listStreams }] = await Promise.all([
      import('../app/open.js'),
      import('../app/streams.js'),
    ]);
    const streams = await withEventStore(ctx.locations, 'read-only', (store) =>
      listStreams({ store }, { prefix: word, limit: MAX_STREAMS }),
    );
    return streams.map((stream) => stream.stream);
  }
  const { openReadStore } = await import('../app/open.js');
  const read = await openReadStore(ctx.locations, 'read');
  if (!read) return [];
  try {
    return (await read.tables()).map((table) => table.name);
  } finally {
    await read.close();
  }
}

/** The global flags that say where things are, as `--db X` or `--db=X`. */
function globalFlags(args: readonly string[]): GlobalFlags {
  const flags: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const [name, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s) : [arg];
    if (!GLOBAL_OPTIONS_WITH_VALUE.has(name!)) continue;
    const value = inline ?? args[(index += 1)];
    if (value === undefined) continue;
    const key = name!.slice(2).replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
    flags[key] = value;
  }
  return flags;
}
