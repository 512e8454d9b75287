import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { writeDomain } from '../projections/fixtures.js';
import { checkpointOf, prepareStore, readModel, triangle } from '../projections/harness.js';
import { runCli } from '../helpers/in-process.js';

/** The CLI in process with the test domain module (see harness.ts for the store it reads). */
const cli = (dir: string, args: readonly string[], input?: string) =>
  runCli(['--domain', 'domain.mjs', ...args], { cwd: dir, input });

// Deposit amounts cycle 1..97 by log index and the first 50 events open the accounts, so the
// first deposit of 50 is event 147: with batches of 40 the last good batch ends at 120.
const EVENTS = 1000;
const FAILING_POSITION = 147;
const LAST_GOOD_BATCH_END = 120;

describe('a projection whose handler throws', () => {
  const { dir, cleanup } = tempDir();
  const readDb = join(dir, 'eventlite.read.db');
  beforeAll(() => prepareStore(dir, EVENTS, { failOnAmount: 50 }));
  afterAll(() => cleanup());

  it('stops at the failing event with exit 1 and one line naming it; the checkpoint stays on the last good batch', async () => {
    const result = await cli(dir, ['projections', 'run', '--batch-size', '40']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: projection "account_summary" failed at event ${FAILING_POSITION} (stream "account-a46", type MoneyDeposited): cannot project amount 50\n`,
    );
    expect(checkpointOf(readDb)).toBe(LAST_GOOD_BATCH_END);
    // Nothing of the failing batch is in the tables: exactly the events up to the checkpoint.
    expect(readModel(readDb).applied).toEqual({
      count: LAST_GOOD_BATCH_END,
      distinct: LAST_GOOD_BATCH_END,
      positions: triangle(LAST_GOOD_BATCH_END),
    });
  });

  it('shows as failed in the list, with the event and the error', async () => {
    const listed = await cli(dir, ['projections', '--format', 'json']);
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
        detail: `at event ${FAILING_POSITION} (stream "account-a46", type MoneyDeposited): cannot project amount 50`,
      },
    ]);
  });

  it('fails the same way when run again unchanged, and `wait` reports it instead of waiting', async () => {
    const again = await cli(dir, ['projections', 'run']);
    expect(again.code).toBe(1);
    expect(checkpointOf(readDb)).toBe(LAST_GOOD_BATCH_END);
    const waited = await cli(dir, ['projections', 'wait', '--timeout', '5']);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(`failed at event ${FAILING_POSITION}`);
  });

  it('continues from the checkpoint once the handler is fixed, and ends equal to a clean build', async () => {
    writeDomain(dir, {});
    const fixed = await cli(dir, ['projections', 'run']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain(
      `handlers changed since it failed at event ${FAILING_POSITION}; continuing from checkpoint ${LAST_GOOD_BATCH_END}`,
    );
    const clean = await cli(dir, ['--read-db', 'clean.read.db', 'projections', 'run']);
    expect(clean.code).toBe(0);
    expect(readModel(readDb)).toEqual(readModel(join(dir, 'clean.read.db')));
    const listed = await cli(dir, ['projections', '--format', 'json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { status: 'ok', checkpoint: EVENTS, detail: null },
    ]);
  });

  it("a failing SQL statement is a failure too, reported with SQLite's message", async () => {
    const { dir: other, cleanup: done } = tempDir();
    try {
      await prepareStore(other, 100);
      // Break the SQL: the table the handler writes to lacks the column it names.
      const source = readFileSync(join(other, 'domain.mjs'), 'utf8');
      writeFileSync(
        join(other, 'domain.mjs'),
        source.replace('deposits = deposits + 1', 'no_such_column = 1'),
      );
      const result = await cli(other, ['projections', 'run']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: projection "account_summary" failed at event 51 \(stream "account-a0", type MoneyDeposited\): no such column: no_such_column\n$/,
      );
      expect(checkpointOf(join(other, 'eventlite.read.db'))).toBe(0);
    } finally {
      done();
    }
  });
});
