import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointAt,
  defaultReadDb,
  prepareStoreOn,
  readModelAt,
  runOn,
} from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { writeDomain } from '../projections/fixtures.js';
import { triangle } from '../projections/harness.js';

// Deposit amounts cycle 1..97 by log index and the first 50 events open the accounts, so the
// first deposit of 50 is event 147: with batches of 40 the last good batch ends at 120.
const EVENTS = 1000;
const FAILING_POSITION = 147;
const LAST_GOOD_BATCH_END = 120;

/** The engine's own words for a handler's UPDATE naming a column the table lacks. */
const NO_SUCH_COLUMN = {
  sqlite: 'no such column: no_such_column',
  postgres: 'column "no_such_column" of relation "account_summary" does not exist',
};

describe.each(backends())('a projection whose handler throws, on $name', (backend) => {
  const { dir, cleanup } = tempDir();
  let store: StoreUnderTest;
  let readDb: string;
  /** The CLI in process with the test domain module (see harness.ts for the store it reads). */
  const cli = (args: readonly string[], on: StoreUnderTest = store, cwd = dir) =>
    runOn(on, ['--domain', 'domain.mjs', ...args], { cwd });
  beforeAll(async () => {
    store = await backend.freshStore();
    readDb = defaultReadDb(store.db);
    await prepareStoreOn(store, dir, EVENTS, { failOnAmount: 50 });
  });
  afterAll(async () => {
    await store.cleanup();
    cleanup();
  });

  it('stops at the failing event with exit 1 and one line naming it; the checkpoint stays on the last good batch', async () => {
    const result = await cli(['projections', 'run', '--batch-size', '40']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: projection "account_summary" failed at event ${FAILING_POSITION} (stream "account-a46", type MoneyDeposited): cannot project amount 50\n`,
    );
    expect(await checkpointAt(readDb, dir)).toBe(LAST_GOOD_BATCH_END);
    // Nothing of the failing batch is in the tables: exactly the events up to the checkpoint.
    expect((await readModelAt(readDb, dir)).applied).toEqual({
      count: LAST_GOOD_BATCH_END,
      distinct: LAST_GOOD_BATCH_END,
      positions: triangle(LAST_GOOD_BATCH_END),
    });
  });

  it('shows as failed in the list, with the event and the error', async () => {
    const listed = await cli(['projections', '--format', 'json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        name: 'account_summary',
        version: 1,
        status: 'failed',
        checkpoint: LAST_GOOD_BATCH_END,
        head: EVENTS,
        lag: EVENTS - LAST_GOOD_BATCH_END,
        lastRunAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        parked: 0,
        skipped: 0,
        detail: `at event ${FAILING_POSITION} (stream "account-a46", type MoneyDeposited): cannot project amount 50`,
      },
    ]);
  });

  it('fails the same way when run again unchanged, and `wait` reports it instead of waiting', async () => {
    const again = await cli(['projections', 'run']);
    expect(again.code).toBe(1);
    expect(await checkpointAt(readDb, dir)).toBe(LAST_GOOD_BATCH_END);
    const waited = await cli(['projections', 'wait', '--timeout', '5']);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(`failed at event ${FAILING_POSITION}`);
  });

  it('continues from the checkpoint once the handler is fixed, and ends equal to a clean build', async () => {
    writeDomain(dir, {});
    const fixed = await cli(['projections', 'run']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain(
      `handlers changed since it failed at event ${FAILING_POSITION}; continuing from checkpoint ${LAST_GOOD_BATCH_END}`,
    );
    // SQLite's clean build goes to clean.read.db beside the store, PostgreSQL's to another database.
    const cleanRead = await backend.otherStore('clean.read.db');
    try {
      const clean = await cli(['--read-db', cleanRead.db, 'projections', 'run']);
      expect(clean.code).toBe(0);
      expect(await readModelAt(readDb, dir)).toEqual(await readModelAt(cleanRead.db, dir));
    } finally {
      await cleanRead.cleanup();
    }
    const listed = await cli(['projections', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { status: 'ok', checkpoint: EVENTS, detail: null },
    ]);
  });

  it("a failing SQL statement is a failure too, reported with the engine's message", async () => {
    const { dir: other, cleanup: done } = tempDir();
    const otherStore = await backend.freshStore();
    try {
      await prepareStoreOn(otherStore, other, 100);
      // Break the SQL: the table the handler writes to lacks the column it names.
      const source = readFileSync(join(other, 'domain.mjs'), 'utf8');
      writeFileSync(
        join(other, 'domain.mjs'),
        source.replace('deposits = deposits + 1', 'no_such_column = 1'),
      );
      const result = await cli(['projections', 'run'], otherStore, other);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: projection "account_summary" failed at event 51 (stream "account-a0", type MoneyDeposited): ${NO_SUCH_COLUMN[backend.name]}\n`,
      );
      expect(await checkpointAt(defaultReadDb(otherStore.db), other)).toBe(0);
    } finally {
      await otherStore.cleanup();
      done();
    }
  });
});
