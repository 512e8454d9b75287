import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, NotFoundError, StoreBusyError, StoreError } from '../../src/core/errors.js';
import type { EventStore } from '../../src/core/ports.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { PG_STORE_SCHEMA_VERSION } from '../../src/store/postgres/schema.js';
import { ROOT } from '../helpers/cli.js';
import { freshPgDatabase, pgServerUrl } from '../helpers/postgres.js';
import { caught, describeEventStore, type OpenedStore } from './event-store.suite.js';
import { describeSchemaVersions } from './schema-version.suite.js';
import { describeLifecycle } from './lifecycle.suite.js';

const PG_OFF = process.env.EVENTLITE_TEST_PG === 'off';

type Database = Awaited<ReturnType<typeof freshPgDatabase>>;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

function urlWith(url: string, change: (url: URL) => void): string {
  const changed = new URL(url);
  change(changed);
  return changed.toString();
}

/** host:port as messages name the test server. */
function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}`;
}

if (PG_OFF) {
  console.warn('PostgreSQL event store tests skipped: EVENTLITE_TEST_PG=off');
  it.skip('PostgreSQL event store (skipped: EVENTLITE_TEST_PG=off)', () => {});
} else {
  // One database for the conformance suite; each test starts from an empty store in it.
  let shared: Database;
  beforeAll(async () => {
    shared = await freshPgDatabase();
  });
  afterAll(async () => {
    await shared?.drop();
  });

  const openShared = async (): Promise<OpenedStore> => {
    await withClient(shared.url, (client) =>
      client.query('DROP SCHEMA IF EXISTS eventlite CASCADE'),
    );
    const store = await openPostgresEventStore(shared.url, { create: true });
    const stores: EventStore[] = [store];
    return {
      store,
      async reopen() {
        const other = await openPostgresEventStore(shared.url, { create: false });
        stores.push(other);
        return other;
      },
      async cleanup() {
        await Promise.all(stores.map((each) => each.close()));
      },
    };
  };
  describeEventStore('PostgreSQL', openShared);
  describeSchemaVersions('PostgreSQL', openShared);

  // A second database, for the lifecycle tests that move events from one store to another.
  let sharedOther: Database;
  beforeAll(async () => {
    sharedOther = await freshPgDatabase();
  });
  afterAll(async () => {
    await sharedOther?.drop();
  });

  describeLifecycle('PostgreSQL', async () => {
    for (const url of [shared.url, sharedOther.url]) {
      await withClient(url, (client) => client.query('DROP SCHEMA IF EXISTS eventlite CASCADE'));
    }
    const stores: EventStore[] = [await openPostgresEventStore(shared.url, { create: true })];
    const opened = async (url: string, create: boolean) => {
      const other = await openPostgresEventStore(url, { create });
      stores.push(other);
      return other;
    };
    return {
      store: stores[0]!,
      reopen: () => opened(shared.url, false),
      fresh: () => opened(sharedOther.url, true),
      removeEvent: (position) =>
        withClient(shared.url, async (client) => {
          // As a superuser bypassing eventlite would: with the triggers off for the transaction.
          await client.query('BEGIN');
          await client.query('SET LOCAL session_replication_role = replica');
          await client.query('DELETE FROM eventlite.events WHERE position = $1', [position]);
          await client.query('COMMIT');
        }),
      snapshotRows: (stream) =>
        withClient(shared.url, async (client) => {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM eventlite.snapshots WHERE stream = $1',
            [stream],
          );
          return rows[0]!.n;
        }),
      async cleanup() {
        await Promise.all(stores.map((each) => each.close()));
      },
    };
  });

  describe('PostgreSQL event store', () => {
    describe('schema', () => {
      it('refuses UPDATE, DELETE and TRUNCATE of events', async () => {
        const database = await freshPgDatabase();
        try {
          const store = await openPostgresEventStore(database.url, { create: true });
          await store.append('a', [{ type: 'T', data: { n: 1 } }]);
          await store.close();
          await withClient(database.url, async (client) => {
            for (const [statement, operation] of [
              [`UPDATE eventlite.events SET type = 'X'`, 'UPDATE'],
              ['DELETE FROM eventlite.events', 'DELETE'],
              ['TRUNCATE eventlite.events', 'TRUNCATE'],
            ] as const) {
              const error = await caught(client.query(statement));
              expect(error.message).toBe(`events are append-only: ${operation} is refused`);
            }
            const { rows } = await client.query('SELECT type FROM eventlite.events');
            expect(rows).toEqual([{ type: 'T' }]);
          });
          // An audited lifecycle command gets through only inside its own transaction.
          const again = await openPostgresEventStore(database.url, { create: false });
          await again.redactEvents('a', { fields: ['n'] });
          await again.close();
          await withClient(database.url, async (client) => {
            const error = await caught(client.query('DELETE FROM eventlite.events'));
            expect(error.message).toBe('events are append-only: DELETE is refused');
            const { rows } = await client.query('SELECT count(*)::int AS n FROM eventlite.events');
            expect(rows).toEqual([{ n: 2 }]);
          });
        } finally {
          await database.drop();
        }
      });

      it('refuses a database that holds other tables, and leaves it untouched', async () => {
        const database = await freshPgDatabase();
        try {
          await withClient(database.url, (client) =>
            client.query('CREATE TABLE customers (id integer)'),
          );
          const location = urlWith(database.url, (url) => (url.password = ''));
          for (const create of [true, false]) {
            const error = await caught(openPostgresEventStore(database.url, { create }));
            expect(error).toBeInstanceOf(StoreError);
            expect(error.message).toBe(
              `${location} is a PostgreSQL database but not an eventlite event store`,
            );
          }
          const schemas = await withClient(database.url, (client) =>
            client.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'eventlite'`),
          );
          expect(schemas.rowCount).toBe(0);
        } finally {
          await database.drop();
        }
      });

      it('shares a database with eventlite read models, in a schema of their own', async () => {
        const database = await freshPgDatabase();
        try {
          await withClient(database.url, async (client) => {
            await client.query('CREATE SCHEMA eventlite_read');
            await client.query('CREATE TABLE eventlite_read.balances (id integer)');
          });
          const store = await openPostgresEventStore(database.url, { create: true });
          await store.append('a', [{ type: 'T', data: {} }]);
          expect(await store.head()).toBe(1);
          await store.close();
        } finally {
          await database.drop();
        }
      });

      it('refuses a store written by a newer eventlite', async () => {
        const database = await freshPgDatabase();
        try {
          await (await openPostgresEventStore(database.url, { create: true })).close();
          await withClient(database.url, (client) =>
            client.query('UPDATE eventlite.meta SET schema_version = 99'),
          );
          const location = urlWith(database.url, (url) => (url.password = ''));
          const error = await caught(openPostgresEventStore(database.url, { create: true }));
          expect(error).toBeInstanceOf(StoreError);
          expect(error.message).toBe(
            `${location} was written by a newer eventlite (schema 99; this version reads up to ${PG_STORE_SCHEMA_VERSION}); upgrade eventlite`,
          );
        } finally {
          await database.drop();
        }
      });

      it('an empty database holds no store until a write creates one', async () => {
        const database = await freshPgDatabase();
        try {
          const location = urlWith(database.url, (url) => (url.password = ''));
          const error = await caught(openPostgresEventStore(database.url, { create: false }));
          expect(error).toBeInstanceOf(NotFoundError);
          expect(error.message).toBe(
            `no event store at ${location} (create one with "eventlite init")`,
          );
          const store = await openPostgresEventStore(database.url, { create: true });
          expect(store.location).toBe(location);
          expect(store.backend).toBe('postgres');
          await store.close();
          await (await openPostgresEventStore(database.url, { create: false })).close();
        } finally {
          await database.drop();
        }
      });

      it('racing inits create the schema once', async () => {
        const database = await freshPgDatabase();
        try {
          const stores = await Promise.all(
            Array.from({ length: 6 }, () => openPostgresEventStore(database.url, { create: true })),
          );
          await stores[0]!.append('a', [{ type: 'T', data: {} }]);
          expect((await stores[5]!.verify()).every((check) => check.ok)).toBe(true);
          await Promise.all(stores.map((store) => store.close()));
          const meta = await withClient(database.url, (client) =>
            client.query('SELECT schema_version FROM eventlite.meta'),
          );
          expect(meta.rows).toEqual([{ schema_version: PG_STORE_SCHEMA_VERSION }]);
        } finally {
          await database.drop();
        }
      });

      it('verify reports a head counter out of step with the events', async () => {
        const database = await freshPgDatabase();
        try {
          const store = await openPostgresEventStore(database.url, { create: true });
          await store.append('a', [{ type: 'T', data: {} }]);
          await withClient(database.url, (client) =>
            client.query('UPDATE eventlite.head SET position = 5'),
          );
          const positions = (await store.verify()).find((c) => c.name === 'positions gapless');
          expect(positions).toEqual({
            name: 'positions gapless',
            ok: false,
            detail: '1 events span positions 1..1 (counter at 5)',
          });
          await store.close();
        } finally {
          await database.drop();
        }
      });
    });

    describe('connection errors never show the password', () => {
      const password = () => new URL(pgServerUrl()).password;

      function expectNoPassword(error: Error): void {
        expect(password().length).toBeGreaterThan(0);
        expect(error.message).not.toContain(password());
        expect(String(error.stack)).not.toContain(password());
      }

      it('a wrong password', async () => {
        const url = urlWith(pgServerUrl(), (url) => (url.password = 'not-the-password-4711'));
        const error = await caught(openPostgresEventStore(url, { create: true }));
        expect(error).toBeInstanceOf(StoreError);
        const user = decodeURIComponent(new URL(url).username);
        expect(error.message).toBe(
          `PostgreSQL at ${serverOf(url)} refused the password for user "${user}"`,
        );
        expect(error.message).not.toContain('not-the-password-4711');
      });

      it('a port where nothing listens', async () => {
        const port = await new Promise<number>((resolve) => {
          const probe = createServer().listen(0, '127.0.0.1', () => {
            const { port } = probe.address() as { port: number };
            probe.close(() => resolve(port));
          });
        });
        const url = urlWith(pgServerUrl(), (url) => {
          url.hostname = '127.0.0.1';
          url.port = String(port);
        });
        const error = await caught(openPostgresEventStore(url, { create: true }));
        expect(error).toBeInstanceOf(StoreError);
        expect(error.message).toBe(
          `cannot reach PostgreSQL at 127.0.0.1:${port}: connection refused`,
        );
        expectNoPassword(error);
      });

      it('a database that does not exist: NotFound, or created by init', async () => {
        const name = `eventlite_missing_${Date.now()}`;
        const url = urlWith(pgServerUrl(), (url) => (url.pathname = `/${name}`));
        const error = await caught(openPostgresEventStore(url, { create: false }));
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error.message).toBe(
          `no database "${name}" at ${serverOf(url)} (create it with createdb ${name})`,
        );
        expectNoPassword(error);

        const store = await openPostgresEventStore(url, { create: true });
        try {
          expect(store.location).not.toContain(password());
          expect(store.location).toBe(urlWith(url, (url) => (url.password = '')));
          await store.append('a', [{ type: 'T', data: {} }]);
          expect(await store.head()).toBe(1);
        } finally {
          await store.close();
          await withClient(pgServerUrl(), (client) => client.query(`DROP DATABASE ${name}`));
        }
      });

      it('a user who may not create the missing database', async () => {
        const role = `eventlite_limited_${Date.now()}`;
        await withClient(pgServerUrl(), (client) =>
          client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'limited-secret-42'`),
        );
        try {
          const url = urlWith(pgServerUrl(), (url) => {
            url.username = role;
            url.password = 'limited-secret-42';
            url.pathname = `/${role}_db`;
          });
          const error = await caught(openPostgresEventStore(url, { create: true }));
          expect(error).toBeInstanceOf(StoreError);
          expect(error.message).toBe(
            `no database "${role}_db" at ${serverOf(url)}, and user "${role}" may not create one (create it with createdb ${role}_db)`,
          );
          expect(String(error.stack)).not.toContain('limited-secret-42');
        } finally {
          await withClient(pgServerUrl(), (client) => client.query(`DROP ROLE ${role}`));
        }
      });

      it('a URL that is not one', async () => {
        const error = await caught(
          openPostgresEventStore('postgres://user:hunter2@[bad/x', { create: false }),
        );
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).not.toContain('hunter2');
      });
    });

    it('a writer that waits for the lock longer than 5 s gets StoreBusyError', async () => {
      const database = await freshPgDatabase();
      const store = await openPostgresEventStore(database.url, { create: true });
      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT position FROM eventlite.head FOR UPDATE');
        const started = Date.now();
        const error = await caught(store.append('a', [{ type: 'T', data: {} }]));
        expect(error).toBeInstanceOf(StoreBusyError);
        expect(error.message).toBe(
          `${store.location} stayed locked by another writer for 5 s; try again`,
        );
        expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
        await holder.query('ROLLBACK');
        await store.append('a', [{ type: 'T', data: {} }]);
        expect(await store.head()).toBe(1);
      } finally {
        await holder.end();
        await store.close();
        await database.drop();
      }
    });

    describe('positions in commit order', () => {
      // A gate: inserting an event of stream "slow" waits, inside its transaction, until the
      // test releases advisory lock 4242. The slow writer has then taken its positions and
      // holds its transaction open while a fast writer tries to commit after it started.
      const GATE = `
        CREATE FUNCTION public.gate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.stream = 'slow' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;
          RETURN NEW;
        END $$`;

      interface Outcome {
        /** Positions in the order the follower saw them. */
        seen: number[];
        /** Every position stored at the end. */
        stored: number[];
        /** The fast writer committed while the slow one was still open. */
        fastCommittedFirst: boolean;
      }

      /**
       * The slow writer starts first and takes its positions, then waits at the gate; the fast
       * writer starts; a follower polls the log from its last position the whole time, as a
       * projection does. Then the gate opens.
       */
      async function race(
        url: string,
        writers: { slow(): Promise<unknown>; fast(): Promise<unknown> },
        readFrom: (position: number) => Promise<number[]>,
        fastIsWaiting: (client: pg.Client) => Promise<boolean>,
      ): Promise<Outcome> {
        return withClient(url, async (gate) => {
          await gate.query('SELECT pg_advisory_lock(4242)');
          let stop = false;
          const seen: number[] = [];
          const follower = (async () => {
            let next = 1;
            for (let last = false; !last;) {
              last = stop;
              const positions = await readFrom(next);
              seen.push(...positions);
              if (positions.length > 0) next = positions.at(-1)! + 1;
              await sleep(2);
            }
          })();

          const slow = writers.slow();
          await waitFor('the slow writer waits at the gate', async () => {
            const { rows } = await gate.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event = 'advisory'`,
            );
            return rows[0].n === 1;
          });
          let fastDone = false;
          const fast = writers.fast().finally(() => (fastDone = true));
          await waitFor('the fast writer commits or waits for the slow one', async () =>
            fastDone ? true : fastIsWaiting(gate),
          );
          // Time for the follower to read whatever is committed by now.
          await sleep(100);
          const fastCommittedFirst = fastDone;
          await gate.query('SELECT pg_advisory_unlock(4242)');
          await Promise.all([slow, fast]);
          stop = true;
          await follower;
          const stored = await readFrom(1);
          return { seen, stored, fastCommittedFirst };
        });
      }

      it('the hazard is real: with a bare sequence a follower skips a position for good', async () => {
        const database = await freshPgDatabase();
        try {
          await withClient(database.url, async (client) => {
            await client.query(GATE);
            await client.query(`CREATE TABLE demo (position bigserial PRIMARY KEY, stream text)`);
            await client.query(
              'CREATE TRIGGER gate AFTER INSERT ON demo FOR EACH ROW EXECUTE FUNCTION public.gate()',
            );
          });
          const appendWithSequence = (stream: string) =>
            withClient(database.url, async (client) => {
              await client.query('BEGIN');
              await client.query('INSERT INTO demo (stream) SELECT $1 FROM generate_series(1, 2)', [
                stream,
              ]);
              await client.query('COMMIT');
            });
          const outcome = await withClient(database.url, (reader) =>
            race(
              database.url,
              { slow: () => appendWithSequence('slow'), fast: () => appendWithSequence('fast') },
              async (from) =>
                (
                  await reader.query<{ position: string }>(
                    'SELECT position FROM demo WHERE position >= $1 ORDER BY position',
                    [from],
                  )
                ).rows.map((row) => Number(row.position)),
              async () => false,
            ),
          );
          expect(outcome.fastCommittedFirst).toBe(true);
          expect(outcome.stored).toEqual([1, 2, 3, 4]);
          // The follower moved past 3 and 4 before 1 and 2 were committed: it never sees them.
          expect(outcome.seen).toEqual([3, 4]);
        } finally {
          await database.drop();
        }
      });

      it("the adapter's appends commit in position order: the follower sees every position", async () => {
        const database = await freshPgDatabase();
        const slowStore = await openPostgresEventStore(database.url, { create: true });
        const fastStore = await openPostgresEventStore(database.url, { create: false });
        const reader = await openPostgresEventStore(database.url, { create: false });
        try {
          await withClient(database.url, async (client) => {
            await client.query(GATE);
            await client.query(
              `CREATE TRIGGER gate AFTER INSERT ON eventlite.events
               FOR EACH ROW EXECUTE FUNCTION public.gate()`,
            );
          });
          const two = [
            { type: 'T', data: { n: 1 } },
            { type: 'T', data: { n: 2 } },
          ];
          const outcome = await race(
            database.url,
            {
              slow: () => slowStore.append('slow', two),
              fast: () => fastStore.append('fast', two),
            },
            async (from) => {
              const positions: number[] = [];
              for await (const page of reader.readLog({ from })) {
                positions.push(...page.map((event) => event.position));
              }
              return positions;
            },
            // The fast writer queues on the slow one's lock of the head row.
            async (gate) => {
              const { rows } = await gate.query(
                `SELECT count(*)::int AS n FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND wait_event IN ('transactionid', 'tuple')`,
              );
              return rows[0].n === 1;
            },
          );
          expect(outcome.fastCommittedFirst).toBe(false);
          expect(outcome.stored).toEqual([1, 2, 3, 4]);
          expect(outcome.seen).toEqual([1, 2, 3, 4]);
          const streams: string[] = [];
          for await (const page of reader.readLog()) streams.push(...page.map((e) => e.stream));
          expect(streams).toEqual(['slow', 'slow', 'fast', 'fast']);
        } finally {
          await Promise.all([slowStore.close(), fastStore.close(), reader.close()]);
          await database.drop();
        }
      });
    });

    describe('several processes', () => {
      const run = promisify(execFile);

      // The writers import the built adapter: like the end-to-end tests, this needs
      // `npm run build` (npm test runs it first). A stale build would test old code.
      function checkBuildIsCurrent(): void {
        const newest = (folder: string, suffix: string) =>
          Math.max(
            ...readdirSync(folder)
              .filter((name) => name.endsWith(suffix))
              .map((name) => statSync(join(folder, name)).mtimeMs),
          );
        let built = -Infinity;
        try {
          built = newest(join(ROOT, 'dist/store/postgres'), '.js');
        } catch {
          // no build at all
        }
        const source = newest(join(ROOT, 'src/store/postgres'), '.ts');
        if (built < source) {
          throw new Error('dist/store/postgres is missing or older than src: run npm run build');
        }
      }

      it('append to shared streams concurrently: no gaps, versions contiguous, conflicts reported', async () => {
        checkBuildIsCurrent();
        const database = await freshPgDatabase();
        const store = await openPostgresEventStore(database.url, { create: true });
        try {
          const writers = 4;
          const appends = 60;
          const streams = 2;
          const script = join(ROOT, 'test/conformance/pg-writer.mjs');
          const results = await Promise.all(
            Array.from({ length: writers }, (_, writer) =>
              run(process.execPath, [
                script,
                database.url,
                String(writer),
                String(appends),
                String(streams),
              ]),
            ),
          );
          const summaries = results.map(
            ({ stdout }) =>
              JSON.parse(stdout) as {
                writer: number;
                events: number;
                conflicts: number;
                otherErrors: string[];
              },
          );
          expect(summaries.flatMap((summary) => summary.otherErrors)).toEqual([]);
          const total = summaries.reduce((sum, summary) => sum + summary.events, 0);
          // Each writer appends batches of 1 and 2 events, alternately.
          expect(total).toBe(writers * appends * 1.5);
          expect(summaries.reduce((sum, summary) => sum + summary.conflicts, 0)).toBeGreaterThan(0);

          const positions: number[] = [];
          const byStream = new Map<string, number[]>();
          const written = new Set<string>();
          for await (const page of store.readLog()) {
            for (const event of page) {
              positions.push(event.position);
              byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.version]);
              written.add(JSON.stringify(event.data));
            }
          }
          expect(positions).toEqual(Array.from({ length: total }, (_, i) => i + 1));
          expect(await store.head()).toBe(total);
          for (const versions of byStream.values()) {
            expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
          }
          expect([...byStream.keys()].sort()).toEqual(['shared-0', 'shared-1']);
          // Every event written exactly once, none twice after a conflict.
          expect(written.size).toBe(total);
          expect((await store.verify()).every((check) => check.ok)).toBe(true);
        } finally {
          await store.close();
          await database.drop();
        }
      });
    });
  });
}
