import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli as runProgram } from '../../src/cli/main.js';
import {
  defaultReadDb,
  readFingerprint,
  runOn,
  shown,
  storeFingerprint,
} from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { cliEnv, collect, startCli, tempDir } from '../helpers/cli.js';
import { writeTickDomain } from './projections-ux-domain.js';

describe.each(backends())('reset and projections drop, on $name', (backend) => {
  let dir: string;
  let done: () => void;
  let store: StoreUnderTest;
  const cli = (args: readonly string[]) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });

  /** The CLI in process with stdin a terminal that answers `answer`. */
  async function onTerminal(args: readonly string[], answer: string) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const stdin = Object.assign(Readable.from([Buffer.from(answer)]), { isTTY: true });
    const code = await runProgram(['--domain', 'domain.mjs', ...args], {
      stdout,
      stderr,
      stdin,
      env: cliEnv(store.env),
      cwd: dir,
    });
    return { code, stdout: out, stderr: err };
  }

  beforeEach(async () => {
    ({ dir, cleanup: done } = tempDir());
    store = await backend.freshStore();
    writeTickDomain(dir, { gammaFixed: true });
    for (const n of [1, 2, 3]) {
      expect((await cli(['append', 'ticks-all', 'Tick', JSON.stringify({ n })])).code).toBe(0);
    }
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    done();
  });

  const fingerprints = async () => [
    await storeFingerprint(store.db, dir),
    await readFingerprint(defaultReadDb(store.db), dir),
  ];

  it('reset refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const before = await fingerprints();
    const refused = await cli(['reset']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error: reset deletes every event in ${shown(store.db)} and the read models in ${shown(defaultReadDb(store.db))}: give --yes to confirm (stdin is not a terminal to ask on)\n`,
    );
    expect(await fingerprints()).toEqual(before);
  });

  it('reset --yes deletes the events and the read models, and leaves an empty store', async () => {
    const reset = await cli(['reset', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toBe(
      `deleted 3 events in 1 streams and the read models; empty store ready at ${shown(store.db)}\n`,
    );
    expect((await cli(['log', '--json'])).stdout).toBe('[]\n');
    const tables = await cli(['tables', '--json']);
    expect(tables.code).toBe(5);
    // Starting over works: the same events again, the read models built afresh.
    expect((await cli(['append', 'ticks-all', 'Tick', '{"n":7}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).stderr).toBe(
      'alpha: at position 1\nbeta: at position 1\ngamma: at position 1\n',
    );
    const rows = await cli(['query', 'SELECT n FROM beta_rows', '--format', 'json']);
    expect(rows.stdout).toBe('[\n{"n":7}\n]\n');
  });

  it('reset asks on a terminal: "y" goes on, anything else stops with nothing changed', async () => {
    const before = await fingerprints();
    const declined = await onTerminal(['reset'], 'n\n');
    expect(declined.code).toBe(2);
    expect(declined.stderr).toBe(
      `reset deletes every event in ${shown(store.db)} and the read models in ${shown(defaultReadDb(store.db))}. Go on? [y/N] error: not confirmed; nothing changed\n`,
    );
    expect(await fingerprints()).toEqual(before);
    const confirmed = await onTerminal(['reset'], 'y\n');
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect((await cli(['status', '--json'])).stdout).toContain('"head":0');
  });

  it("reset refuses a read database that is not eventlite's, before deleting anything", async () => {
    // Another project's event store, and a SQLite database of someone else's.
    expect((await runOn({ env: {} }, ['--db', 'other.db', 'init'], { cwd: dir })).code).toBe(0);
    const foreign = new Database(join(dir, 'foreign.db'));
    foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    foreign.close();
    const before = await fingerprints();
    const files = () => ['other.db', 'foreign.db'].map((name) => readFileSync(join(dir, name)));
    const filesBefore = files();
    for (const name of ['other.db', 'foreign.db']) {
      const message = `error: ${name} is a SQLite database but not an eventlite read database; reset deletes only eventlite's own (nothing was deleted)\n`;
      const flag = await cli(['--read-db', name, 'reset', '--yes']);
      expect([flag.code, flag.stderr]).toEqual([1, message]);
      const env = await runOn(store, ['--domain', 'domain.mjs', 'reset', '--yes'], {
        cwd: dir,
        env: { EVENTLITE_READ_DB: name },
      });
      expect([env.code, env.stderr]).toEqual([1, message]);
    }
    expect(files()).toEqual(filesBefore);
    expect(await fingerprints()).toEqual(before);
  });

  it('reset refuses a read database that is not SQLite at all, without advice to delete it', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
    const before = await fingerprints();
    const refused = await cli(['--read-db', 'notes.txt', 'reset', '--yes']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      "error: notes.txt is not a SQLite database; reset deletes only eventlite's own read database (nothing was deleted): if this one is eventlite's, delete it by hand\n",
    ]);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect(await fingerprints()).toEqual(before);
  });

  it('reset stops log --follow, projections run --follow and subscribe --follow with a clear line', async () => {
    const start = (args: string[]) => {
      const child = startCli(['--domain', 'domain.mjs', ...args], { cwd: dir, env: store.env });
      return { child, done: collect(child) };
    };
    const log = start(['log', '--follow', '--format', 'ndjson']);
    const runner = start(['projections', 'run', '--follow']);
    const subscriber = start(['--quiet', 'subscribe', 'mirror', '--follow', '--', 'cat']);
    let delivered = '';
    subscriber.child.stdout!.on('data', (chunk: Buffer) => (delivered += chunk.toString()));
    let printed = '';
    log.child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    // Both following: an event appended now is printed by the log and applied by the runner.
    expect((await cli(['append', 'ticks-all', 'Tick', '{"n":4}'])).code).toBe(0);
    const applied = async () =>
      (await cli(['query', 'SELECT count(*) AS n FROM beta_rows', '--format', 'csv'])).stdout;
    for (let tries = 0; tries < 300; tries += 1) {
      if (
        printed.split('\n').length === 5 &&
        delivered.split('\n').length === 5 &&
        (await applied()) === 'n\n4\n'
      ) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect([printed.split('\n').length, delivered.split('\n').length, await applied()]).toEqual([
      5,
      5,
      'n\n4\n',
    ]);
    expect((await cli(['reset', '--yes'])).code).toBe(0);
    const stopped = `error: the store at ${shown(store.db)} was reset or deleted while this command was following it; stopped (run it again to follow the new store)\n`;
    const [logged, ran, subscribed] = await Promise.all([log.done, runner.done, subscriber.done]);
    expect([logged.code, logged.stdout.split('\n').length, logged.stderr]).toEqual([
      1,
      5,
      stopped.replace(
        /^error: (.*)\n$/,
        (_, message: string) =>
          `${JSON.stringify({ error: { exitCode: 1, kind: 'failure', message } })}\n`,
      ),
    ]);
    expect([ran.code, ran.stderr]).toEqual([1, stopped]);
    expect([subscribed.code, subscribed.stderr]).toEqual([1, stopped]);
  });

  it('projections drop NAME --yes drops its tables and checkpoint; the next run builds it afresh', async () => {
    const refused = await cli(['projections', 'drop', 'beta']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'error: drop deletes projection "beta" and its tables: give --yes to confirm (stdin is not a terminal to ask on)\n',
    );
    const dropped = await cli(['projections', 'drop', 'beta', '--yes']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stderr).toBe('dropped projection "beta" and its tables\n');
    const tables = await cli(['tables', '--json']);
    expect((JSON.parse(tables.stdout) as { name: string }[]).map((table) => table.name)).toEqual([
      'alpha_rows',
      'gamma_rows',
    ]);
    const listed = await cli(['projections', 'beta', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: 'beta', status: 'behind', checkpoint: 0, detail: 'never run' },
    ]);
    const again = await cli(['projections', 'run', 'beta']);
    expect(again.stderr).toBe('beta: at position 3\n');
  });

  it('projections drop of a projection the read models do not hold: exit 5, nothing asked', async () => {
    const missing = await cli(['projections', 'drop', 'nope']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/^error: no projection "nope" in the read models at .+\n$/);
    expect(missing.stderr).not.toContain('--yes');
  });
});
