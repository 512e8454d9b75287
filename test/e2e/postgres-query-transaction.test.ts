import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { prepareStoreOn, runOn } from '../helpers/backend-cli.js';
import { collect, startCli, tempDir } from '../helpers/cli.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// A PostgreSQL query holds the read tables' locks for its whole transaction, and a rebuild's
// swap must wait for them. A query whose reader stops reading (a pipe nobody empties) ends at
// its time limit (30 s), fetches and waiting included, so the rebuild goes through; a rebuild
// that does give up (after 35 s) names who held the tables, not "another writer".

const enabled = inject('pgServerUrl') !== null;

/** Far more than a pipe holds: the query stalls with its cursor's transaction open. */
const WIDE = `SELECT a.account_id, g.i, repeat('x', 400) AS pad
  FROM account_summary a, generate_series(1, 3000) AS g(i)`;

describe.runIf(enabled)('a PostgreSQL query and a rebuild that waits for it', () => {
  const stores: { url: string; dir: string; drop(): Promise<void>; cleanup(): void }[] = [];
  const cli = (store: (typeof stores)[number], args: string[]) =>
    runOn({ env: { EVENTLITE_DB: store.url } }, ['--domain', 'domain.mjs', ...args], {
      cwd: store.dir,
    });

  beforeAll(async () => {
    for (let index = 0; index < 2; index += 1) {
      const database = await freshPgDatabase();
      const { dir, cleanup } = tempDir();
      const store = { url: database.url, dir, drop: database.drop, cleanup };
      stores.push(store);
      await prepareStoreOn({ env: { EVENTLITE_DB: store.url } }, dir, 20);
      expect((await cli(store, ['projections', 'run'])).code).toBe(0);
    }
  });
  afterAll(async () => {
    for (const store of stores) {
      await store.drop();
      store.cleanup();
    }
  });

  it('a stalled reader ends at the time limit, and the rebuild goes through; one that gives up names the holder', async () => {
    const [stalledStore, heldStore] = stores as [(typeof stores)[0], (typeof stores)[0]];
    // A query whose output nobody reads.
    const stalled = startCli(['query', WIDE, '--format', 'csv'], {
      cwd: stalledStore.dir,
      env: { EVENTLITE_DB: stalledStore.url },
    });
    // A session left open in a transaction, as psql leaves one.
    const holder = new pg.Client({ connectionString: heldStore.url, application_name: 'psql' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM eventlite_read.account_summary');
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      expect(await cursorHeld(stalledStore.url)).toBe(true);
      const [through, refused] = await Promise.all([
        cli(stalledStore, ['projections', 'rebuild']),
        cli(heldStore, ['projections', 'rebuild']),
      ]);
      expect([through.code, through.stderr]).toEqual([
        0,
        'rebuilding projection "account_summary" from event 1 (asked to)\naccount_summary: at position 20\n',
      ]);
      expect(refused.code).toBe(6);
      expect(refused.stderr).toMatch(
        new RegExp(
          `error: could not swap in the rebuilt projection "account_summary" within 35 s: a session of psql \\(pid ${pid}, user postgres\\) has held eventlite_read\\.account_summary since [0-9T:Z-]+; try again\\n$`,
        ),
      );
      const ended = await collect(stalled);
      expect([ended.code, ended.stderr]).toEqual([
        2,
        'error: query failed: it ran past its limit of 30 s, counting the time its rows waited to be read\n',
      ]);
    } finally {
      await holder.end();
      stalled.kill('SIGTERM');
    }
  }, 90_000);
});

/** Whether, within 20 s, a query's session sits idle in its transaction (its reader stalled). */
async function cursorHeld(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let waited = 0; waited < 20_000; waited += 100) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'eventlite query'
           AND state = 'idle in transaction'`,
      );
      if (rows[0]!.n > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  } finally {
    await client.end();
  }
}
