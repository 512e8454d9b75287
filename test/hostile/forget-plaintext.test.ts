import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeLifecycleDomain } from '../cli/lifecycle-domain.js';
import { runOn, withPg } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// After `forget` (and the `projections run` that rebuilds what read the forgotten data), no
// copy of the forgotten fields is left anywhere eventlite wrote them. Searched for byte for
// byte: on SQLite in every file eventlite keeps in the store's folder (the store, the read
// database and their WAL files); on PostgreSQL in every page of every relation of the database, read raw with
// pageinspect, dead tuples and free space included. Each search is first shown to find what
// it looks for.

const OWNER = 'Zebulon Quaxley-Plaintext';
const STREET = 'Quaxley Lane 7319';
const UNSEALED = 'Unsealed Quaxley-Copy';
const OTHER = 'Grace Hopper-Keep';

/**
 * The owners stored, as the test writes them: a sealed owner and address, and (appended below)
 * an unsealed copy. a1 comes last, so its key is the newest row of its table: on PostgreSQL the
 * newest tuple of a page is the one whose bytes a plain VACUUM leaves in the page's free space.
 */
function story(dir: string): void {
  const lines = [
    { command: 'OpenAccount', data: { accountId: 'a2', owner: OTHER } },
    // A raw event line is sealed too (replay has the domain); the append below is not.
    { stream: 'account-a3', type: 'AccountOpened', data: { accountId: 'a3', owner: 'Raw Line' } },
    {
      command: 'OpenAccount',
      data: { accountId: 'a1', owner: OWNER, address: { street: STREET } },
    },
    { command: 'Deposit', data: { accountId: 'a1', amount: 10 } },
    { command: 'Deposit', data: { accountId: 'a1', amount: 5 } },
  ];
  writeFileSync(join(dir, 'story.ndjson'), lines.map((line) => JSON.stringify(line)).join('\n'));
}

describe.each(backends())('forget leaves no plaintext behind, on $name', (backend) => {
  let dir: string;
  let done: () => void;
  let store: StoreUnderTest;
  const ok = async (args: readonly string[]) => {
    const result = await runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };

  beforeEach(async () => {
    ({ dir, cleanup: done } = tempDir());
    store = await backend.freshStore();
    writeLifecycleDomain(dir);
    story(dir);
    await ok(['replay', 'story.ndjson', '--quiet']);
    // Stored unsealed: an append has no domain at hand.
    await ok([
      'append',
      'legacy-a1',
      'AccountOpened',
      JSON.stringify({ accountId: 'a1', owner: UNSEALED }),
    ]);
    await ok(['projections', 'run']);
    // A rebuild too, so that swapped-out tables and scratch space held the plaintext once.
    await ok(['projections', 'rebuild']);
    await ok(['exec', 'Deposit', '{"accountId":"a1","amount":1}']);
    await ok(['projections', 'run']);
  });
  afterEach(async () => {
    await store.cleanup();
    done();
  });

  it('the store, the snapshots and the read models hold none of it once the projections ran', async () => {
    const found = backend.name === 'sqlite' ? sqliteFilesHolding(dir) : pgPagesHolding(store.db);
    // a1's key, which opens their sealed fields: no copy of it may be left either.
    await ok(['export', '--keys', 'keys.txt']);
    const keys = readFileSync(join(dir, 'keys.txt'), 'utf8').trim().split('\n');
    const a1 = keys.map((line) => JSON.parse(line) as { subject: string; key: string });
    const key = Buffer.from(a1.find((line) => line.subject === 'a1')!.key, 'base64');
    const needles = [OWNER, STREET, UNSEALED, OTHER, key].map((needle) => Buffer.from(needle));
    const before = await found(needles);
    // The search finds what is there: the read model holds the owners, the snapshot the first,
    // the keys' table the key.
    const named = (needle: string | Buffer) => (needle === key ? "a1's key" : String(needle));
    for (const needle of [OWNER, UNSEALED, OTHER, key]) {
      expect(before.get(Buffer.from(needle).toString('hex')), named(needle)).not.toEqual([]);
    }

    // No older transaction was left open when VACUUM FULL ran: no warning.
    expect((await ok(['forget', 'a1', '--yes'])).stderr).not.toContain('warning:');
    await ok(['projections', 'run']);
    const after = await found(needles);
    for (const needle of [OWNER, STREET, UNSEALED, key]) {
      expect(after.get(Buffer.from(needle).toString('hex')), named(needle)).toEqual([]);
    }
    // Another subject's data is still there: the search still sees what is stored.
    expect(after.get(Buffer.from(OTHER).toString('hex'))).not.toEqual([]);
    await ok(['verify']);
  });

  // A transaction of the same database whose snapshot predates forget's commit can still see
  // the deleted rows, and VACUUM FULL copies what it can see into the new files: forget waits
  // for it to end, up to EVENTLITE_PURGE_WAIT.
  it.runIf(backend.name === 'postgres')(
    'forget waits for an older snapshot of the database to end before VACUUM FULL',
    async () => {
      const found = pgPagesHolding(store.db);
      const needles = [OWNER, STREET, UNSEALED].map((needle) => Buffer.from(needle));
      await withPg(store.db, async (reader) => {
        await holdSnapshot(reader);
        let finished = false;
        const forgetting = runOn(store, ['--domain', 'domain.mjs', 'forget', 'a1', '--yes'], {
          cwd: dir,
          env: { EVENTLITE_PURGE_WAIT: '60' },
        }).finally(() => (finished = true));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        expect(finished, 'forget ended while an older snapshot was open').toBe(false);
        await reader.query('COMMIT');
        const result = await forgetting;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).not.toContain('warning:');
      });
      await ok(['projections', 'run']);
      const after = await found(needles);
      for (const needle of needles) expect(after.get(needle.toString('hex'))).toEqual([]);
    },
  );

  it.runIf(backend.name === 'postgres')(
    'a snapshot that outlives the wait is named in a warning, and what it sees is still there',
    async () => {
      await withPg(store.db, async (reader) => {
        await reader.query(`SET application_name = 'held-reader'`);
        await holdSnapshot(reader);
        const { rows } = await reader.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const result = await runOn(store, ['--domain', 'domain.mjs', 'forget', 'a1', '--yes'], {
          cwd: dir,
          env: { EVENTLITE_PURGE_WAIT: '0.5' },
        });
        // The change stands, as when VACUUM FULL cannot run: success, with a warning.
        expect(result.code, result.stderr).toBe(0);
        const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning:'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/^warning: .*VACUUM FULL/);
        expect(warnings[0]).toContain(`pid ${rows[0]!.pid} (held-reader, idle in transaction)`);
        await reader.query('COMMIT');
      });
      // The warning is true: the old snapshot row, with the owner, was copied into the new file.
      const after = await pgPagesHolding(store.db)([Buffer.from(OWNER)]);
      expect(after.get(Buffer.from(OWNER).toString('hex'))).toContain('eventlite.snapshots');
    },
  );
});

/**
 * Opens a snapshot in `client` that later statements keep. It takes no lock on eventlite's
 * tables, or VACUUM FULL would wait for the lock instead.
 */
async function holdSnapshot(client: pg.Client): Promise<void> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await client.query('SELECT 1');
}

/** Where each needle is found, by the needle's bytes in hex. */
type Search = (needles: readonly Buffer[]) => Promise<Map<string, string[]>>;

/**
 * Every file eventlite keeps in the folder (the store, the read database, their WAL files, any
 * rebuild's leftovers: all named eventlite.…) holding each needle. The test's own input files
 * hold the plaintext, of course, and are not eventlite's.
 */
function sqliteFilesHolding(dir: string): Search {
  return async (needles) => {
    const files = readdirSync(dir)
      .filter((name) => name.startsWith('eventlite.'))
      .map((name) => [name, readFileSync(join(dir, name))] as const);
    return new Map(
      needles.map((needle) => [
        needle.toString('hex'),
        files.filter(([, bytes]) => bytes.includes(needle)).map(([name]) => name),
      ]),
    );
  };
}

/**
 * Every relation of the database (tables, TOAST, indexes) whose raw pages hold each needle:
 * get_raw_page sees dead tuples and free space, which no query does. It is shown to find a
 * dead tuple first, so that an empty answer means nothing is there.
 */
function pgPagesHolding(url: string): Search {
  return (needles) =>
    withPg(url, async (client) => {
      await client.query('CREATE EXTENSION IF NOT EXISTS pageinspect');
      await client.query('CREATE TABLE IF NOT EXISTS public.probe (v text)');
      await client.query(`INSERT INTO public.probe VALUES ('dead-tuple-probe-4711')`);
      await client.query('DELETE FROM public.probe');
      const probe = await relationsHolding(client, Buffer.from('dead-tuple-probe-4711'));
      expect(probe).toEqual(['probe']);
      await client.query('DROP TABLE public.probe');
      const found = new Map<string, string[]>();
      for (const needle of needles) {
        found.set(needle.toString('hex'), await relationsHolding(client, needle));
      }
      return found;
    });
}

async function relationsHolding(client: pg.Client, needle: Buffer): Promise<string[]> {
  const { rows } = await client.query<{ relation: string }>(
    `SELECT c.oid::regclass::text AS relation
     FROM pg_class c
     WHERE c.relkind IN ('r', 't', 'i', 'm') AND c.relpersistence = 'p'
       AND pg_relation_size(c.oid) > 0
       AND EXISTS (
         SELECT 1 FROM generate_series(0, pg_relation_size(c.oid) / current_setting('block_size')::int - 1) AS block
         WHERE position($1::bytea IN get_raw_page(c.oid::regclass::text, 'main', block::int)) > 0
       )
     ORDER BY 1`,
    [needle],
  );
  return rows.map((row) => row.relation);
}
