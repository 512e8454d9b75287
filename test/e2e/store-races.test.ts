import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, parseNdjson, spawnCli, startCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { pgStoredLog, withPgClient } from '../helpers/pg-inspect.js';
import { PG_STORE_SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { STORE_SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';

// Real processes against one real store (a SQLite file, or a PostgreSQL database that several
// clients use at once): the races and signals a user's shell scripts create. The racers and
// the follower are spawned; set-up and the checks after them run the CLI in process (the same
// output, without a Node start-up each).

const STRESS = process.env.EVENTLITE_STRESS === '1';

let folder: ReturnType<typeof tempDir>;
let store: StoreUnderTest;
const cli = (args: string[], input?: string) =>
  spawnCli(args, { cwd: folder.dir, input, env: store.env });
const inProcess = (args: string[]) => runInProcess(args, { cwd: folder.dir, env: store.env });

async function events(): Promise<
  { position: number; stream: string; version: number; data: { n?: number } }[]
> {
  const result = await inProcess(['log', '--format', 'ndjson']);
  expect(result.code).toBe(0);
  return parseNdjson(result.stdout) as never;
}

for (const backend of backends()) {
  describe(`${backend.name}`, () => {
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
    });
    afterEach(async () => {
      await store.cleanup();
      folder.cleanup();
    });

    describe('racing writers', () => {
      // On PostgreSQL: a brand-new, empty database, whose store the racers create.
      it('lets exactly one of eight --expected-version no-stream racers win, on a brand-new file', async () => {
        const racers = Array.from({ length: 8 }, (_, n) =>
          cli([
            'append',
            'account-x',
            'AccountOpened',
            JSON.stringify({ racer: n }),
            '--expected-version',
            'no-stream',
          ]),
        );
        const results = await Promise.all(racers);
        const codes = results.map((result) => result.code).sort();
        expect(codes).toEqual([0, 3, 3, 3, 3, 3, 3, 3]);
        for (const loser of results.filter((result) => result.code === 3)) {
          expect(loser.stderr).toBe(
            'error: version conflict on stream "account-x": expected no stream (version 0), actual 1\n',
          );
        }
        expect(await events()).toHaveLength(1);
      });

      it('loses nothing and never repeats a version when processes append to one stream at once', async () => {
        expect((await inProcess(['init'])).code).toBe(0);
        const writers = 6;
        // Six at once on both, four appends each: the writers' appends interleave, and the 24
        // versions must still run 1..24, none lost or repeated. The stress run
        // (EVENTLITE_STRESS=1) appends 8 each on PostgreSQL and 16 on SQLite.
        const perWriter = STRESS ? (backend.name === 'sqlite' ? 16 : 8) : 4;
        const runs = Array.from({ length: writers }, async (_, writer) => {
          for (let n = 0; n < perWriter; n += 1) {
            const result = await cli([
              'append',
              'shared',
              'Tick',
              JSON.stringify({ n: writer * 100 + n }),
            ]);
            expect(result.code).toBe(0);
          }
        });
        await Promise.all(runs);
        const stored = await events();
        expect(stored.map((event) => event.version)).toEqual(
          Array.from({ length: writers * perWriter }, (_, n) => n + 1),
        );
        expect(new Set(stored.map((event) => event.data.n)).size).toBe(writers * perWriter);
        expect((await inProcess(['verify', '--format', 'ndjson'])).code).toBe(0);
      });
    });

    describe('log --follow', () => {
      it('prints events committed by other processes promptly and ends cleanly on SIGTERM', async () => {
        expect((await cli(['append', 'a', 'First', '{}'])).code).toBe(0);
        const follower = startCli(['log', '--follow', '--format', 'ndjson'], {
          cwd: folder.dir,
          env: store.env,
        });
        const output = collect(follower);
        let seen = '';
        follower.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
        const waitForLines = async (count: number) => {
          const deadline = Date.now() + 10_000;
          while (seen.split('\n').filter(Boolean).length < count) {
            if (Date.now() > deadline) throw new Error(`follower printed only: ${seen}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        await waitForLines(1);
        expect((await cli(['append', 'b', 'Second', '{}'])).code).toBe(0);
        const appendedAt = Date.now();
        await waitForLines(2);
        // "Within a fraction of a second": the follower polls every 100 ms.
        expect(Date.now() - appendedAt).toBeLessThan(2000);
        follower.kill('SIGTERM');
        const result = await output;
        expect(result.code).toBe(143);
        expect(result.stderr).toBe('');
        expect(
          (parseNdjson(result.stdout) as { type: string }[]).map((event) => event.type),
        ).toEqual(['First', 'Second']);
      });
    });

    describe('files the store cannot use', () => {
      // A folder's permissions are a file's matter: a PostgreSQL store has none.
      if (backend.name === 'sqlite')
        it('reports a read-only folder in one line with exit 1, creating nothing', () => {
          const locked = join(folder.dir, 'locked');
          mkdirSync(locked);
          chmodSync(folder.dir, 0o755);
          chmodSync(locked, 0o555);
          // root ignores folder permissions, so as root the CLI runs as nobody (via setpriv).
          const asRoot = process.getuid?.() === 0;
          const command = asRoot ? 'setpriv' : process.execPath;
          const prefix = asRoot
            ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]
            : [];
          const result = spawnSync(
            command,
            [...prefix, BIN, '--db', 'locked/store.db', 'append', 's', 'T', '{}'],
            {
              cwd: folder.dir,
              encoding: 'utf8',
              env: cliEnv(),
            },
          );
          chmodSync(locked, 0o755);
          expect(result.status).toBe(1);
          expect(result.stderr).toMatch(
            /^error: cannot open locked\/store\.db: unable to open database file\n$/,
          );
          expect(readdirSync(locked)).toEqual([]);
        });

      if (backend.name === 'sqlite')
        it('refuses a store from a newer eventlite without touching it', async () => {
          expect((await inProcess(['init'])).code).toBe(0);
          const { default: Database } = await import('better-sqlite3');
          const raw = new Database(join(folder.dir, 'eventlite.db'));
          raw.pragma('user_version = 99');
          raw.close();
          const before = readFileSync(join(folder.dir, 'eventlite.db'));
          const result = await inProcess(['append', 's', 'T', '{}']);
          expect(result.code).toBe(1);
          expect(result.stderr).toBe(
            `error: eventlite.db was written by a newer eventlite (schema 99; this version reads up to ${STORE_SCHEMA_VERSION}); upgrade eventlite\n`,
          );
          expect(readFileSync(join(folder.dir, 'eventlite.db'))).toEqual(before);
        });

      if (backend.name === 'postgres')
        it('refuses a PostgreSQL store from a newer eventlite without touching it', async () => {
          expect((await inProcess(['append', 's', 'T', '{}'])).code).toBe(0);
          const before = await withPgClient(store.db, async (client) => {
            await client.query('UPDATE eventlite.meta SET schema_version = 99');
            return pgStoredLog(client);
          });
          const result = await inProcess(['append', 's', 'T', '{}']);
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(
            new RegExp(
              `^error: postgres://postgres@127\\.0\\.0\\.1:\\d+/eventlite_test_[0-9a-f]+ was written by a newer eventlite \\(schema 99; this version reads up to ${PG_STORE_SCHEMA_VERSION}\\); upgrade eventlite\n$`,
            ),
          );
          const after = await withPgClient(store.db, async (client) => ({
            events: await pgStoredLog(client),
            schema: (await client.query('SELECT schema_version FROM eventlite.meta')).rows,
          }));
          expect(after).toEqual({ events: before, schema: [{ schema_version: 99 }] });
        });
    });
  });
}
