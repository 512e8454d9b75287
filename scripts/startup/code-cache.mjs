// Writes V8's code cache beside each chunk of the bundled CLI (dist/bundle/chunk-*.cjs.cache),
// so that a command starts without parsing and compiling the JavaScript it runs. Compiling was
// the largest part of a short command's start-up left after bundling. Run by `npm run build`,
// after bundle.mjs.
//
// The cache is written by the CLI itself (the loader in dist/bundle/eventlite.cjs, under
// EVENTLITE_WRITE_CODE_CACHE=1) as each of the commands below exits: a chunk's cache holds
// every function that the first command to load it compiled. So the commands run in the order
// of how much their start-up matters: store-only commands, then exec and state, then the rest.
//
// A cache is V8's, for this Node and these V8 flags: another Node (or a flag such as
// --cpu-prof) rejects it and compiles as if it were not there. Each rebuild removes the old
// caches with the old chunks. A command that fails here leaves only a slower start, so this
// warns instead of failing the build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'bin', 'eventlite.js');
const bank = join(root, 'fixtures', 'bank', 'eventlite.config.ts');
const scratch = mkdtempSync(join(tmpdir(), 'eventlite-code-cache-'));
const db = join(scratch, 'store.db');
const baseEnv = { ...process.env, EVENTLITE_CACHE_DIR: join(scratch, 'cache'), NO_COLOR: '1' };
delete baseEnv.EVENTLITE_DB;
delete baseEnv.EVENTLITE_READ_DB;
delete baseEnv.EVENTLITE_DOMAIN;

const open = (id) => JSON.stringify({ accountId: id, owner: 'Ada' });
const deposit = (id) => JSON.stringify({ accountId: id, amount: 100 });

// A store to run them on, built without writing any cache.
const setup = [
  ['--domain', bank, 'exec', 'OpenAccount', open('a1')],
  ['--domain', bank, 'exec', 'Deposit', deposit('a1')],
  ['--domain', bank, 'projections', 'run', '--quiet'],
];
const warmUp = [
  ['streams', '--format', 'ndjson'],
  ['read', 'account-a1', '--format', 'ndjson'],
  ['log', '--limit', '10', '--format', 'ndjson'],
  ['status', '--format', 'ndjson'],
  ['query', 'SELECT count(*) AS n FROM account_summary', '--format', 'ndjson'],
  ['--domain', bank, 'exec', '--dry-run', 'OpenAccount', open('a2'), '--format', 'ndjson'],
  ['--domain', bank, 'state', 'account-a1', '--format', 'ndjson'],
  ['--domain', bank, 'exec', 'Deposit', deposit('a1')],
  ['--domain', bank, 'projections', 'run', '--quiet'],
  ['--domain', bank, 'projections'],
  ['tables'],
  ['streams'],
  ['verify'],
  ['export'],
  ['--help'],
];

let failed = 0;
try {
  for (const args of setup) run(args, baseEnv);
  for (const args of warmUp) run(args, { ...baseEnv, EVENTLITE_WRITE_CODE_CACHE: '1' });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const written = readdirSync(join(root, 'dist', 'bundle')).filter((name) => name.endsWith('.cache'));
if (failed > 0) console.warn(`code cache: ${failed} warm-up command(s) failed; start-up is slower`);
else if (process.env.EVENTLITE_VERBOSE_BUILD) console.log(`code cache: ${written.length} chunks`);

function run(args, env) {
  const result = spawnSync(process.execPath, [cli, '--db', db, ...args], {
    cwd: scratch,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    failed += 1;
    console.warn(`code cache: eventlite ${args.join(' ')} failed: ${result.stderr.trim()}`);
  }
}
