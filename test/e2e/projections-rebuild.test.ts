import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { collect } from '../helpers/cli.js';
import { pgClient, READ_SCHEMA } from '../helpers/pg-inspect.js';
import { projectionStore, type ProjectionStore } from '../helpers/projection-stores.js';
import { writeDomain } from '../projections/fixtures.js';
import { sleep } from '../projections/harness.js';

// PostgreSQL rebuilds fewer events by default (each batch is round trips to the server): a
// rebuild still lasts long enough to be watched and killed.
const SIZES = { sqlite: 10_000, postgres: 3000 };

/** A reader of the read models on a connection of its own, for the whole test. */
interface Reader {
  /** One snapshot of the projection's tables, read in ONE statement (one read transaction). */
  observe(): Promise<string>;
  close(): Promise<void>;
}

function sqliteReader(readDb: string): Reader {
  const db = new Database(readDb, { readonly: true });
  return {
    observe: async () => {
      const row = db
        .prepare(
          `SELECT (SELECT count(*) FROM account_summary) AS accounts,
                  (SELECT total(balance) FROM account_summary) AS balance,
                  (SELECT count(*) FROM applied) AS applied`,
        )
        .get();
      return JSON.stringify(row);
    },
    close: async () => {
      db.close();
    },
  };
}

async function pgReader(url: string): Promise<Reader> {
  const client: pg.Client = await pgClient(url);
  await client.query(`SET search_path TO ${READ_SCHEMA}`);
  return {
    observe: async () => {
      const { rows } = await client.query(
        `SELECT (SELECT count(*)::int FROM account_summary) AS accounts,
                (SELECT coalesce(sum(balance), 0)::float8 FROM account_summary) AS balance,
                (SELECT count(*)::int FROM applied) AS applied`,
      );
      return JSON.stringify(rows[0]);
    },
    close: () => client.end(),
  };
}

for (const backend of backends()) {
  const EVENTS = SIZES[backend.name];

  describe(`versions and rebuilds (${backend.name})`, () => {
    let store: ProjectionStore;
    let dir: string;
    beforeAll(async () => {
      store = await projectionStore(backend, EVENTS);
      dir = store.dir;
      expect((await store.cli(['projections', 'run'])).code).toBe(0);
    });
    afterAll(() => store?.cleanup());
    const readModel = () => store.readModels.readModel();

    it('a version bump marks the projection stale, and run rebuilds it (saying why) with the views', async () => {
      writeDomain(dir, { version: 2, factor: 2, withView: true });
      const listed = await store.cli(['projections', '--format', 'json']);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { name: 'account_summary', version: 2, status: 'stale', detail: 'version 1 → 2' },
      ]);
      const run = await store.cli(['projections', 'run']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        'rebuilding projection "account_summary" from event 1 (version 1 → 2)',
      );
      const clean2 = await store.otherReadModels('clean2.read.db');
      const clean = await store.cli(['--read-db', clean2.readDb, 'projections', 'run']);
      expect(clean.code).toBe(0);
      expect(await readModel()).toEqual(await clean2.readModel());
      const tables = await store.cli(['tables', '--format', 'csv']);
      expect(tables.stdout).toBe(
        'name,type,rows,projection\n' +
          'account_summary,table,50,account_summary\n' +
          `applied,table,${EVENTS},account_summary\n` +
          'rich_accounts,view,50,account_summary\n',
      );
    });

    it('a changed handler with the same version is stale too', async () => {
      writeDomain(dir, { version: 2, factor: 3, withView: true });
      const listed = await store.cli(['projections', '--format', 'json']);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { status: 'stale', detail: 'its handlers changed' },
      ]);
      const run = await store.cli(['projections', 'run']);
      expect(run.stderr).toContain('(its handlers changed)');
      const listedAfter = await store.cli(['projections', '--format', 'json']);
      expect(JSON.parse(listedAfter.stdout)).toMatchObject([{ status: 'ok', lag: 0 }]);
    });

    it('a concurrent reader sees the old complete tables or the new complete ones, never a half-built one', async () => {
      const reader =
        backend.name === 'sqlite'
          ? sqliteReader(store.readModels.readDb)
          : await pgReader(store.readModels.readDb);
      const before = await reader.observe();
      writeDomain(dir, { version: 3, factor: 5, slowMs: 0.05 });
      const child = store.start(['projections', 'rebuild']);
      const exited = collect(child);
      let done = false;
      void exited.then(() => (done = true));
      const seen = new Map<string, number>();
      while (!done) {
        const snapshot = await reader.observe();
        seen.set(snapshot, (seen.get(snapshot) ?? 0) + 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const result = await exited;
      expect(result.code, result.stderr).toBe(0);
      const after = await reader.observe();
      await reader.close();
      expect(after).not.toBe(before);
      expect([...seen.keys()].every((snapshot) => snapshot === before || snapshot === after)).toBe(
        true,
      );
      expect(seen.get(before) ?? 0).toBeGreaterThan(10);
      expect(JSON.parse(after)).toEqual({
        accounts: 50,
        balance: expect.any(Number),
        applied: EVENTS,
      });
    });

    it('a rebuild killed at any moment leaves the old tables whole; the next run finishes it and removes the scratch file', async () => {
      const before = await readModel();
      writeDomain(dir, { version: 4, factor: 7, slowMs: 0.05 });
      // Three kills at random moments at least, and on until one has landed after the scratch
      // was made (a loaded machine can put all three before it): the next run must finish that.
      const MOST_KILLS = 12;
      for (
        let kill = 0;
        kill < 3 || (kill < MOST_KILLS && (await store.readModels.rebuildScratch()).length === 0);
        kill += 1
      ) {
        const child = store.start(['projections', 'run']);
        const exited = collect(child);
        let done = false;
        void exited.then(() => (done = true));
        while (!done && (await store.readModels.rebuildingPid()) !== child.pid) await sleep(5);
        await sleep(Math.random() * 150);
        child.kill('SIGKILL');
        expect((await exited).signal).toBe('SIGKILL');
        await store.readModels.settled();
        expect(await readModel()).toEqual(before);
      }
      expect((await store.readModels.rebuildScratch()).length).toBeGreaterThan(0);
      const listed = await store.cli(['projections', '--format', 'json']);
      expect(JSON.parse(listed.stdout)).toMatchObject([
        { status: 'stale', detail: 'version 3 → 4' },
      ]);
      const finished = await store.cli(['projections', 'run']);
      expect(finished.code, finished.stderr).toBe(0);
      expect(await store.readModels.rebuildScratch()).toEqual([]);
      const model = await readModel();
      expect(model.summary.map((row) => row.balance)).toEqual(
        before.summary.map((row) => (row.balance / 5) * 7),
      );
      expect(await store.readModels.checkpoint()).toBe(EVENTS);
      expect(await store.readModels.exist()).toBe(true);
    });
  });
}
