import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCli, tempDir } from '../helpers/cli.js';
import { writeDomain } from '../projections/fixtures.js';
import { checkpointOf, cli, prepareStore, readModel, sleep } from '../projections/harness.js';

const EVENTS = 10_000;

/** One snapshot of the projection's tables, read in ONE statement (one read transaction). */
function observe(db: Database.Database): string {
  const row = db
    .prepare(
      `SELECT (SELECT count(*) FROM account_summary) AS accounts,
              (SELECT total(balance) FROM account_summary) AS balance,
              (SELECT count(*) FROM applied) AS applied`,
    )
    .get();
  return JSON.stringify(row);
}

function rebuildingPid(readDb: string): number | null {
  const db = new Database(readDb, { readonly: true });
  try {
    return (db.prepare('SELECT rebuilding_pid FROM eventlite_projections').pluck().get() ??
      null) as number | null;
  } finally {
    db.close();
  }
}

describe('versions and rebuilds', () => {
  const { dir, cleanup } = tempDir();
  const readDb = join(dir, 'eventlite.read.db');
  beforeAll(async () => {
    await prepareStore(dir, EVENTS);
    expect((await cli(dir, ['projections', 'run'])).code).toBe(0);
  });
  afterAll(() => cleanup());

  it('a version bump marks the projection stale, and run rebuilds it (saying why) with the views', async () => {
    writeDomain(dir, { version: 2, factor: 2, withView: true });
    const listed = await cli(dir, ['projections', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { name: 'account_summary', version: 2, status: 'stale', detail: 'version 1 → 2' },
    ]);
    const run = await cli(dir, ['projections', 'run']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'rebuilding projection "account_summary" from event 1 (version 1 → 2)',
    );
    const clean = await cli(dir, ['--read-db', 'clean2.read.db', 'projections', 'run']);
    expect(clean.code).toBe(0);
    expect(readModel(readDb)).toEqual(readModel(join(dir, 'clean2.read.db')));
    const tables = await cli(dir, ['tables', '--format', 'csv']);
    expect(tables.stdout).toBe(
      'name,type,rows,projection\n' +
        'account_summary,table,50,account_summary\n' +
        `applied,table,${EVENTS},account_summary\n` +
        'rich_accounts,view,50,account_summary\n',
    );
  });

  it('a changed handler with the same version is stale too', async () => {
    writeDomain(dir, { version: 2, factor: 3, withView: true });
    const listed = await cli(dir, ['projections', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { status: 'stale', detail: 'its handlers changed' },
    ]);
    const run = await cli(dir, ['projections', 'run']);
    expect(run.stderr).toContain('(its handlers changed)');
    const listedAfter = await cli(dir, ['projections', '--format', 'json']);
    expect(JSON.parse(listedAfter.stdout)).toMatchObject([{ status: 'ok', lag: 0 }]);
  });

  it('a concurrent reader sees the old complete tables or the new complete ones, never a half-built one', async () => {
    const reader = new Database(readDb, { readonly: true });
    const before = observe(reader);
    writeDomain(dir, { version: 3, factor: 5, slowMs: 0.05 });
    const child = startCli(['--domain', 'domain.mjs', 'projections', 'rebuild'], { cwd: dir });
    const exited = collect(child);
    let done = false;
    void exited.then(() => (done = true));
    const seen = new Map<string, number>();
    while (!done) {
      const snapshot = observe(reader);
      seen.set(snapshot, (seen.get(snapshot) ?? 0) + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await exited;
    expect(result.code, result.stderr).toBe(0);
    const after = observe(reader);
    reader.close();
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
    const before = readModel(readDb);
    writeDomain(dir, { version: 4, factor: 7, slowMs: 0.05 });
    for (let kill = 0; kill < 3; kill += 1) {
      const child = startCli(['--domain', 'domain.mjs', 'projections', 'run'], { cwd: dir });
      const exited = collect(child);
      let done = false;
      void exited.then(() => (done = true));
      while (!done && rebuildingPid(readDb) !== child.pid) await sleep(5);
      await sleep(Math.random() * 150);
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      expect(readModel(readDb)).toEqual(before);
    }
    expect(readdirSync(dir).some((file) => file.includes('.rebuild-'))).toBe(true);
    const listed = await cli(dir, ['projections', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ status: 'stale', detail: 'version 3 → 4' }]);
    const finished = await cli(dir, ['projections', 'run']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(readdirSync(dir).filter((file) => file.includes('.rebuild-'))).toEqual([]);
    const model = readModel(readDb);
    expect(model.summary.map((row) => row.balance)).toEqual(
      before.summary.map((row) => (row.balance / 5) * 7),
    );
    expect(checkpointOf(readDb)).toBe(EVENTS);
    expect(existsSync(readDb)).toBe(true);
  });
});
