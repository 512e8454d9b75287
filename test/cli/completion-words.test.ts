import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultReadDb, readModelsExist, runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// Completion of the user's words: `exec <TAB>` offers the domain's commands, `read <TAB>` and
// `state <TAB>` the store's streams, `projections run <TAB>` the projections, `tables <TAB>`
// the read tables. The scripts ask `eventlite __complete KIND WORD` with the --db, --read-db
// and --domain on the line; it reads the store read-only and writes nothing anywhere.

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

describe('eventlite __complete and the shell scripts, in the bank example', () => {
  const folder = tempDir();
  /** `eventlite` on the PATH, as the scripts call it. */
  const bin = join(folder.dir, 'bin');
  /** The compiled module, kept by the set-up's commands as any run keeps it. */
  const cache = join(folder.dir, 'cache');
  const project = join(folder.dir, 'bank');
  const env = () =>
    cliEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, EVENTLITE_CACHE_DIR: cache });
  const spawned = (command: string, args: readonly string[]) =>
    spawnSync(command, args, { cwd: project, env: env(), encoding: 'utf8' });
  /** `eventlite ARGS` in process: what the scripts' calls print, with no process to start. */
  const cli = (args: readonly string[], cacheDir = cache) =>
    runInProcess(args, { cwd: project, env: { EVENTLITE_CACHE_DIR: cacheDir } });
  /** Every file under a folder, with its bytes, to compare. */
  const contents = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
          .sort()
          .map((name) => {
            const path = join(dir, name);
            return statSync(path).isFile() ? `${name}:${readFileSync(path, 'base64')}` : name;
          })
      : [];

  beforeAll(async () => {
    mkdirSync(bin);
    mkdirSync(project);
    const wrapper = join(bin, 'eventlite');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    expect((await cli(['init', '--example', 'bank'])).code).toBe(0);
    // The example's scenario holds a rejected withdrawal, to show one: kept going past it.
    expect((await cli(['replay', 'scenario.ndjson', '--keep-going'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterAll(() => folder.cleanup());

  it('prints the words of each kind that start with the word given, one a line', async () => {
    const words = async (...args: string[]) => {
      const run = await cli(['__complete', ...args]);
      return [run.code, run.stdout, run.stderr];
    };
    expect(await words('commands')).toEqual([0, 'Deposit\nOpenAccount\nWithdraw\n', '']);
    expect(await words('commands', 'With')).toEqual([0, 'Withdraw\n', '']);
    expect(await words('projections')).toEqual([0, 'account_summary\n', '']);
    expect(await words('streams')).toEqual([0, 'account-acc-1\naccount-acc-2\n', '']);
    expect(await words('streams', 'account-acc-2')).toEqual([0, 'account-acc-2\n', '']);
    expect(await words('tables')).toEqual([0, 'account_summary\n', '']);
  });

  // In process as in a spawned run: each load compiles the module afresh (jiti's moduleCache
  // is off), so the empty cache still sees a compile that must not be kept.
  it('writes nothing: no store where there is none, the store unchanged, no compiled code kept', async () => {
    const store = readFileSync(join(project, 'eventlite.db'));
    const before = readdirSync(project).sort();
    const kept = contents(cache);
    const empty = join(folder.dir, 'empty-cache');
    for (const kind of ['commands', 'projections', 'streams', 'tables']) {
      for (const cacheDir of [cache, empty]) {
        const run = await cli(['--db', 'elsewhere.db', '__complete', kind], cacheDir);
        // No store or read models there: nothing to offer, and nothing said on the terminal.
        expect([kind, run.stderr]).toEqual([kind, '']);
      }
    }
    expect(existsSync(join(project, 'elsewhere.db'))).toBe(false);
    expect(existsSync(join(project, 'elsewhere.read.db'))).toBe(false);
    // The TypeScript module was compiled to answer, and not kept; the cache is as it was.
    expect(existsSync(empty)).toBe(false);
    expect(contents(cache)).toEqual(kept);
    expect(readFileSync(join(project, 'eventlite.db')).equals(store)).toBe(true);
    // SQLite's -wal and -shm companions, as any reader of a WAL database makes them.
    const companions = /\.db-(wal|shm)$/;
    expect(
      readdirSync(project)
        .filter((name) => !companions.test(name))
        .sort(),
    ).toEqual(before.filter((name) => !companions.test(name)));
    const unknown = await cli(['__complete', 'colours']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([2, '', '']);
  });

  it('bash completes exec, read, state, projections and tables with them', async () => {
    const script = (await cli(['completion', 'bash'])).stdout;
    const probe = `${script}
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); COMPREPLY=(); _eventlite; echo "\${COMPREPLY[*]}"; }
t eventlite exec ""
t eventlite exec O
t eventlite --format ndjson exec --dry-run ""
t eventlite read ""
t eventlite state account-acc-2
t eventlite projections run ""
t eventlite projections ""
t eventlite projections run account_summary ""
t eventlite tables ""
t eventlite --db elsewhere.db read a
`;
    const run = spawned('bash', ['-c', probe]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout.split('\n')).toEqual([
      'Deposit OpenAccount Withdraw',
      'OpenAccount',
      'Deposit OpenAccount Withdraw',
      'account-acc-1 account-acc-2',
      'account-acc-2',
      'account_summary',
      'run rebuild wait drop parked retry account_summary',
      'account_summary',
      'account_summary',
      '',
      '',
    ]);
  });

  it.skipIf(!hasShell('zsh'))('zsh completes them, through compadd', async () => {
    const script = (await cli(['completion', 'zsh'])).stdout;
    const probe = `compdef() { :; }
compadd() { if [[ $1 == -a ]]; then print -r -- "\${(P)2}"; fi }
_describe() { :; }
_files() { :; }
${script}
t() { words=("$@"); CURRENT=\${#words}; _eventlite; }
t eventlite exec ""
t eventlite read account-acc-
t eventlite projections wait ""
t eventlite --db elsewhere.db read ""
`;
    const run = spawned('zsh', ['-c', probe]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(
      'Deposit OpenAccount Withdraw\naccount-acc-1 account-acc-2\naccount_summary\n',
    );
  });

  it.skipIf(!hasShell('fish'))('fish completes them', async () => {
    const script = (await cli(['completion', 'fish'])).stdout;
    const lines = [
      'eventlite exec ',
      'eventlite exec Deposit ',
      'eventlite read ',
      'eventlite tables ',
    ];
    const probe = `${script}
for line in ${lines.map((line) => `'${line}'`).join(' ')}
  echo (complete -C"$line")
end
`;
    const run = spawned('fish', ['-c', probe]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(
      'Deposit OpenAccount Withdraw\n\naccount-acc-1 account-acc-2\naccount_summary\n',
    );
  });
});

describe.each(backends())('__complete on $name', (backend) => {
  const { dir, cleanup } = tempDir();
  let store: StoreUnderTest;
  beforeAll(async () => {
    store = await backend.freshStore();
    const appended = await runOn(store, ['append', 'order-7', 'OrderPlaced', '{}'], { cwd: dir });
    expect(appended.code).toBe(0);
  });
  afterAll(async () => {
    await store.cleanup();
    cleanup();
  });

  it("lists the store's streams through a read-only open", async () => {
    const result = await runOn(store, ['__complete', 'streams', 'order'], { cwd: dir });
    expect([result.code, result.stdout, result.stderr]).toEqual([0, 'order-7\n', '']);
    // No read models yet: no tables, and none made by looking.
    const tables = await runOn(store, ['__complete', 'tables'], { cwd: dir });
    expect([tables.code, tables.stdout, tables.stderr]).toEqual([0, '', '']);
    expect(await readModelsExist(defaultReadDb(store.db), dir)).toBe(false);
  });
});
