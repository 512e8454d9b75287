import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, spawnCli, tempDir } from '../helpers/cli.js';

// The rules of scripts/startup/README.md, checked on the built CLI: a command that only reads
// the store loads no built-in it does not need and nothing from node_modules but the SQLite
// addon. Each of these cost a short command a tenth of its start-up or more when it crept in.
const FORBIDDEN_BUILTINS = [
  'crypto', // drawn ids and hashes: loaded only when an id is drawn (src/store/ids.ts)
  'net', // Node's stream for a pipe (src/cli/output/fd-stream.ts writes to the descriptor)
  'tty', // chalk, loaded only for a terminal (src/cli/output/style.ts)
  'fs/promises',
  'child_process', // commander's, made lazy by the bundle (scripts/startup/bundle.mjs)
  'readline',
];

/** Written to the file EVENTLITE_TEST_LOADS names as the process exits: what it loaded. */
const PROBE = `'use strict';
process.on('exit', () => {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  const packages = Object.keys(require.cache).filter((file) => file.includes('node_modules'));
  require('node:fs').writeFileSync(process.env.EVENTLITE_TEST_LOADS, JSON.stringify({ builtins, packages }));
});
`;

interface Loads {
  builtins: string[];
  packages: string[];
}

describe('what a command loads at start-up', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('eventlite-loads-'));
    writeFileSync(join(dir, 'probe.cjs'), PROBE);
    db = join(dir, 'store.db');
    const appended = await spawnCli(['--db', db, 'append', 'a', 'Opened', '{"n":1}'], { cwd: dir });
    expect(appended.code, appended.stderr).toBe(0);
  });
  afterEach(() => cleanup());

  async function loadsOf(args: readonly string[]): Promise<Loads> {
    const file = join(dir, 'loads.json');
    const result = await spawnCli(args, {
      cwd: dir,
      env: {
        NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}`,
        EVENTLITE_TEST_LOADS: file,
        EVENTLITE_CACHE_DIR: join(dir, 'cache'),
      },
    });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(readFileSync(file, 'utf8')) as Loads;
  }

  it.each([
    ['streams', '--format', 'ndjson'],
    ['read', 'a', '--format', 'ndjson'],
    ['log', '--limit', '1', '--format', 'ndjson'],
    ['status', '--format', 'ndjson'],
    ['export'],
  ])(
    'a store-only command (%s) loads no forbidden built-in and no package but the SQLite addon',
    async (...args) => {
      const loads = await loadsOf(['--db', db, ...args]);
      expect(loads.builtins.filter((name) => FORBIDDEN_BUILTINS.includes(name))).toEqual([]);
      expect(loads.packages.map((file) => file.slice(file.lastIndexOf('node_modules')))).toEqual([
        join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
      ]);
    },
  );

  // The probe sees what it is there to see: a command that draws an id loads node:crypto, and a
  // domain module compiled for the first time loads jiti.
  it('sees node:crypto when an id is drawn and jiti when a domain module is compiled', async () => {
    const appended = await loadsOf(['--db', db, 'append', 'a', 'Renamed', '{}']);
    expect(appended.builtins).toContain('crypto');
    const bank = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');
    const open = JSON.stringify({ accountId: 'a1', owner: 'Ada' });
    const dryRun = await loadsOf([
      '--db',
      db,
      '--domain',
      bank,
      'exec',
      '--dry-run',
      'OpenAccount',
      open,
    ]);
    expect(dryRun.packages.some((file) => file.includes(join('node_modules', 'jiti')))).toBe(true);
  });
});
