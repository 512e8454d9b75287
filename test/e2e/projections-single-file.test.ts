import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCli, tempDir } from '../helpers/cli.js';
import { writeDomain } from '../projections/fixtures.js';
import { checkpointOf, cli, prepareStore, readModel, sleep } from '../projections/harness.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';

// `--read-db` naming the store itself: the article's single-database CQRS. SQLite only: a
// PostgreSQL store keeps its read models in a schema of its own database anyway.
const EVENTS = 10_000;

describe('read models inside the store file', () => {
  const { dir, cleanup } = tempDir();
  const store = join(dir, 'eventlite.db');
  const same = ['--read-db', 'eventlite.db'];
  beforeAll(() => prepareStore(dir, EVENTS));
  afterAll(() => cleanup());

  it('runs, queries and lists tables there, leaving the store readable and verifiable', async () => {
    const run = await cli(dir, [...same, 'projections', 'run']);
    expect(run.code, run.stderr).toBe(0);
    expect(checkpointOf(store)).toBe(EVENTS);
    const clean = await cli(dir, ['--read-db', 'clean.read.db', 'projections', 'run']);
    expect(clean.code).toBe(0);
    expect(readModel(store)).toEqual(readModel(join(dir, 'clean.read.db')));

    const tables = await cli(dir, [...same, 'tables', '--format', 'tsv']);
    expect(tables.stdout).toBe(
      `name\ttype\trows\tprojection\naccount_summary\ttable\t50\taccount_summary\napplied\ttable\t${EVENTS}\taccount_summary\n`,
    );
    const query = await cli(dir, [
      ...same,
      'query',
      'SELECT count(*) AS n FROM events',
      '--format',
      'json',
    ]);
    expect(JSON.parse(query.stdout)).toEqual([{ n: EVENTS }]);
    const verify = await cli(dir, [...same, 'verify', '--format', 'json']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const log = await cli(dir, ['log', '--limit', '1', '--format', 'ndjson']);
    expect(JSON.parse(log.stdout)).toMatchObject({ position: 1 });
  });

  it('appends do not wait for a rebuild: it builds in a scratch file and swaps in one short transaction', async () => {
    writeDomain(dir, { version: 2, slowMs: 0.1 });
    const child = startCli(['--domain', 'domain.mjs', ...same, 'projections', 'rebuild'], {
      cwd: dir,
    });
    const startedAt = performance.now();
    const exited = collect(child);
    let done = false;
    let took = 0;
    void exited.then(() => {
      done = true;
      took = performance.now() - startedAt;
    });
    const events = openSqliteEventStore(store);
    const latencies: number[] = [];
    try {
      await sleep(400); // past start-up, into the replay
      while (!done) {
        const started = performance.now();
        await events.append('account-a0', [
          { type: 'MoneyDeposited', data: { accountId: 'a0', amount: 1 } },
        ]);
        latencies.push(performance.now() - started);
        await sleep(10);
      }
    } finally {
      await events.close();
    }
    const result = await exited;
    expect(result.code, result.stderr).toBe(0);
    // The replay takes about a second; appends kept going meanwhile, each waiting at most
    // for the swap's copy, never for the whole rebuild. Measured against the rebuild's own
    // time in this run, so that a loaded machine slows both alike: a rebuild that held the
    // write lock for its replay would make one append wait most of it.
    expect(latencies.length).toBeGreaterThan(20);
    expect(Math.max(...latencies)).toBeLessThan(took / 4);
    const head = EVENTS + latencies.length;
    const settle = await cli(dir, [...same, 'projections', 'run']);
    expect(settle.code).toBe(0);
    expect(checkpointOf(store)).toBe(head);
    expect(readModel(store).applied.count).toBe(head);
  });
});
