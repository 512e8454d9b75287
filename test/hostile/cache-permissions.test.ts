import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../helpers/cli.js';

// The compiled-module cache holds code that runs as the user who runs eventlite. Code planted
// there by someone else must never run: a cache folder (or a folder above it) that another user
// can write, or that is not the user's, is not used at all, with a warning; an entry that others
// may write is ignored and compiled afresh. The built binary, as a user runs it.

const DOMAIN = `import { defineDecider, defineDomain } from 'eventlite';
type Add = { type: 'Add'; data: { id: string } };
const counter = defineDecider<{ n: number }, Add, { type: 'Added'; data: { n: number } }>({
  category: 'counter',
  streamId: (command) => command.data.id,
  initialState: () => ({ n: 0 }),
  evolve: (state, event) => ({ n: state.n + event.data.n }),
  decide: { Add: () => [{ type: 'Added', data: { n: 1 } }] },
});
export default defineDomain({ deciders: { counter } });
`;

/** What an attacker writes in place of an entry: valid as an entry, and loud when it runs. */
const PLANTED = 'process.stderr.write("planted code ran\\n"); exports.default = { deciders: {} };';
const entryText = (code: string) =>
  `${code}\n//eventlite-cache:${createHash('sha256').update(code).digest('hex')}`;

let folder: ReturnType<typeof tempDir>;
let cache: string;
beforeEach(() => {
  folder = tempDir();
  writeFileSync(join(folder.dir, 'domain.ts'), DOMAIN);
  cache = join(folder.dir, 'cache');
});
afterEach(() => folder.cleanup());

const run = (cacheDir = cache) =>
  spawnCli(['--domain', 'domain.ts', 'exec', 'Add', '{"id":"a"}', '--format', 'ndjson'], {
    cwd: folder.dir,
    env: { EVENTLITE_CACHE_DIR: cacheDir },
  });

/** Fills the cache with a first run, then replaces every entry with planted code. */
async function plant(cacheDir = cache): Promise<string[]> {
  const first = await run(cacheDir);
  expect([first.code, first.stderr]).toEqual([0, '']);
  const planted: string[] = [];
  for (const sub of ['compiled', 'modules']) {
    for (const name of readdirSync(join(cacheDir, sub))) {
      const file = join(cacheDir, sub, name);
      writeFileSync(file, entryText(PLANTED));
      planted.push(file);
    }
  }
  expect(planted.length).toBeGreaterThan(0);
  return planted;
}

/** The command ran the user's own module: an event decided, and no planted code. */
function expectOwnCode(result: Awaited<ReturnType<typeof run>>): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toContain('planted code ran');
  expect(result.stdout).toContain('"type":"Added"');
}

describe('a cache folder that others can write is not used', () => {
  it('planted code in a folder chmod-ed 0777 does not run; the warning says which and why', async () => {
    await plant();
    chmodSync(cache, 0o777);
    const result = await run();
    expectOwnCode(result);
    expect(result.stderr).toBe(
      `warning: not using the compile cache ${cache}: ${cache} is writable by others (mode 0777); the domain module is compiled afresh on each run until that is fixed (or EVENTLITE_CACHE_DIR names a folder of your own)\n`,
    );
    // Nothing is written into it either.
    expect(
      readFileSync(join(cache, 'modules', readdirSync(join(cache, 'modules'))[0]!), 'utf8'),
    ).toBe(entryText(PLANTED));
  });

  it('a sub-folder writable by others counts as the folder', async () => {
    await plant();
    chmodSync(join(cache, 'modules'), 0o775);
    const result = await run();
    expectOwnCode(result);
    expect(result.stderr).toMatch(
      new RegExp(
        `^warning: not using the compile cache [^\\n]*: ${join(cache, 'modules')} is writable by others \\(mode 0775\\)`,
      ),
    );
  });

  it('a folder above the cache that others can write (not sticky) counts too; a sticky one does not', async () => {
    const shared = join(folder.dir, 'shared');
    mkdirSync(shared);
    const inShared = join(shared, 'cache');
    await plant(inShared);
    chmodSync(shared, 0o777);
    const open = await run(inShared);
    expectOwnCode(open);
    expect(open.stderr).toContain(
      `: ${shared}, a folder above it, is writable by others (mode 0777)`,
    );
    // Sticky, like /tmp: no one may rename or remove what is not theirs there.
    chmodSync(shared, 0o1777);
    const inSticky = join(shared, 'private');
    const sticky = await run(inSticky);
    expectOwnCode(sticky);
    expect(sticky.stderr).toBe('');
    expect(readdirSync(join(inSticky, 'modules'))).toHaveLength(1);
  });

  it.runIf(process.getuid?.() === 0)(
    'a cache folder that belongs to another user is not used',
    async () => {
      await plant();
      chownSync(cache, 65534, 65534);
      const result = await run();
      expectOwnCode(result);
      expect(result.stderr).toContain(`: ${cache} belongs to uid 65534, not to you (uid 0);`);
    },
  );
});

describe('an entry that others can write is ignored', () => {
  it('planted code in a 0666 entry does not run; the entry is compiled afresh and replaced', async () => {
    const planted = await plant();
    for (const file of planted) chmodSync(file, 0o666);
    const result = await run();
    expectOwnCode(result);
    expect(result.stderr).toBe('');
    for (const file of planted) expect(readFileSync(file, 'utf8')).not.toContain('planted');
  });

  it('a fresh cache is private: the folders 0700, the entries 0600', async () => {
    const result = await run();
    expectOwnCode(result);
    const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
    expect([mode(cache), mode(join(cache, 'compiled')), mode(join(cache, 'modules'))]).toEqual([
      '700',
      '700',
      '700',
    ]);
    for (const sub of ['compiled', 'modules']) {
      for (const name of readdirSync(join(cache, sub))) {
        expect(mode(join(cache, sub, name))).toBe('600');
      }
    }
  });
});
