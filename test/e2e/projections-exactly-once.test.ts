import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCli, tempDir } from '../helpers/cli.js';
import {
  checkpointOf,
  cli,
  prepareStore,
  readModel,
  sleep,
  triangle,
  type ReadModel,
} from '../projections/harness.js';

// The log size for the kill and race tests. The issue asks for 100k events; the default suite
// uses fewer to stay fast. Stress run: EVENTLITE_STRESS_EVENTS=100000 npx vitest run test/e2e/projections-exactly-once
const EVENTS = Number(process.env.EVENTLITE_STRESS_EVENTS ?? 20_000);
const KILLS = Number(process.env.EVENTLITE_STRESS_KILLS ?? 8);

describe('projections run is exactly-once', () => {
  const { dir, cleanup } = tempDir();
  let clean: ReadModel;

  beforeAll(async () => {
    await prepareStore(dir, EVENTS);
    const built = await cli(dir, ['--read-db', 'clean.read.db', 'projections', 'run']);
    expect(built.code, built.stderr).toBe(0);
    clean = readModel(join(dir, 'clean.read.db'));
    expect(clean.applied).toEqual({ count: EVENTS, distinct: EVENTS, positions: triangle(EVENTS) });
  });
  afterAll(() => cleanup());

  it('a runner killed with SIGKILL at random moments, restarted until done, ends equal to a clean build', async () => {
    const readDb = join(dir, 'killed.read.db');
    const args = [
      '--domain',
      'domain.mjs',
      '--read-db',
      readDb,
      'projections',
      'run',
      '--batch-size',
      '100',
    ];
    let kills = 0;
    let killedMidway = 0;
    for (let attempt = 0; attempt < KILLS + 20; attempt += 1) {
      const child = startCli(args, { cwd: dir });
      const exited = collect(child);
      if (kills < KILLS) {
        // Kill once the checkpoint has passed a random point, plus a random few ms: that lands
        // anywhere in a batch (reading, applying, committing), not only right after a commit.
        const threshold = checkpointOf(readDb) + Math.random() * (EVENTS - checkpointOf(readDb));
        const stillRunning = await waitForCheckpoint(readDb, threshold, exited);
        if (stillRunning) {
          await sleep(Math.random() * 15);
          child.kill('SIGKILL');
          const result = await exited;
          if (result.signal === 'SIGKILL') {
            kills += 1;
            const checkpoint = checkpointOf(readDb);
            if (checkpoint > 0 && checkpoint < EVENTS) killedMidway += 1;
            // Whatever was committed is whole: every applied event up to the checkpoint, once.
            expect(readModel(readDb).applied).toEqual({
              count: checkpoint,
              distinct: checkpoint,
              positions: triangle(checkpoint),
            });
            continue;
          }
          expect(result.code, result.stderr).toBe(0);
          break;
        }
      }
      const result = await exited;
      expect(result.code, result.stderr).toBe(0);
      break;
    }
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 3));
    expect(killedMidway).toBeGreaterThanOrEqual(1);
    expect(checkpointOf(readDb)).toBe(EVENTS);
    expect(readModel(readDb)).toEqual(clean);
  });

  it('three runners at once apply every event once and end equal to a clean build', async () => {
    const readDb = join(dir, 'parallel.read.db');
    const args = [
      '--domain',
      'domain.mjs',
      '--read-db',
      readDb,
      'projections',
      'run',
      '--batch-size',
      '50',
    ];
    const results = await Promise.all([0, 1, 2].map(() => collect(startCli(args, { cwd: dir }))));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(checkpointOf(readDb)).toBe(EVENTS);
    expect(readModel(readDb)).toEqual(clean);
  });

  it('a runner started while another is half-way through leaves the same tables', async () => {
    const readDb = join(dir, 'staggered.read.db');
    const args = [
      '--domain',
      'domain.mjs',
      '--read-db',
      readDb,
      'projections',
      'run',
      '--batch-size',
      '50',
    ];
    const first = collect(startCli(args, { cwd: dir }));
    await waitForCheckpoint(readDb, EVENTS / 4, first);
    const second = collect(startCli(args, { cwd: dir }));
    const results = await Promise.all([first, second]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(readModel(readDb)).toEqual(clean);
    const again = await cli(dir, ['--read-db', readDb, 'projections', '--format', 'json']);
    expect(JSON.parse(again.stdout)).toMatchObject([
      { name: 'account_summary', status: 'ok', checkpoint: EVENTS, head: EVENTS, lag: 0 },
    ]);
  });
});

/** Polls until the checkpoint reaches `threshold` (true) or the process exits first (false). */
async function waitForCheckpoint(
  readDb: string,
  threshold: number,
  exited: Promise<unknown>,
): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    try {
      if (checkpointOf(readDb) >= threshold) return true;
    } catch {
      // The file may be mid-creation; look again.
    }
    await sleep(2);
  }
  return false;
}
