import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { collect } from '../helpers/cli.js';
import {
  projectionStore,
  type ProjectionStore,
  type ReadModels,
} from '../helpers/projection-stores.js';
import { sleep, triangle, type ReadModel } from '../projections/harness.js';

// The log size for the kill and race tests. The issue asks for 100k events; the default suite
// uses fewer to stay fast. Stress run: EVENTLITE_STRESS_EVENTS=100000 npx vitest run test/e2e/projections-exactly-once
// PostgreSQL, where each batch is a few round trips to the server, runs 2000 events and fewer
// kills by default; the variables size both alike.
const SIZES = {
  sqlite: {
    events: Number(process.env.EVENTLITE_STRESS_EVENTS ?? 12_000),
    kills: Number(process.env.EVENTLITE_STRESS_KILLS ?? 4),
  },
  postgres: {
    events: Number(process.env.EVENTLITE_STRESS_EVENTS ?? 2000),
    kills: Number(process.env.EVENTLITE_STRESS_KILLS ?? 3),
  },
};

for (const backend of backends()) {
  const { events: EVENTS, kills: KILLS } = SIZES[backend.name];

  describe(`projections run is exactly-once (${backend.name})`, () => {
    let store: ProjectionStore;
    let clean: ReadModel;

    beforeAll(async () => {
      store = await projectionStore(backend, EVENTS);
      const cleanModels = await store.otherReadModels('clean.read.db');
      const built = await store.cli(['--read-db', cleanModels.readDb, 'projections', 'run']);
      expect(built.code, built.stderr).toBe(0);
      clean = await cleanModels.readModel();
      expect(clean.applied).toEqual({
        count: EVENTS,
        distinct: EVENTS,
        positions: triangle(EVENTS),
      });
    });
    afterAll(() => store?.cleanup());

    it('a runner killed with SIGKILL at random moments, restarted until done, ends equal to a clean build', async () => {
      const read = await store.otherReadModels('killed.read.db');
      const args = ['--read-db', read.readDb, 'projections', 'run', '--batch-size', '100'];
      let kills = 0;
      let killedMidway = 0;
      for (let attempt = 0; attempt < KILLS + 20; attempt += 1) {
        const child = store.start(args);
        const exited = collect(child);
        const at = await read.checkpoint();
        if (kills < KILLS && at < EVENTS * 0.95) {
          // Kill once the checkpoint has passed a random point in the first third of what is
          // left, plus a random few ms: that lands anywhere in a batch (reading, applying,
          // committing), not only right after a commit, and leaves room before the end, so
          // a fast runner is not killed only after it has finished. Near the end, let it run.
          const threshold = at + (Math.random() * (EVENTS - at)) / 3;
          const stillRunning = await waitForCheckpoint(read, threshold, exited);
          if (stillRunning) {
            await sleep(Math.random() * 15);
            child.kill('SIGKILL');
            const result = await exited;
            if (result.signal === 'SIGKILL') {
              kills += 1;
              await read.settled();
              const checkpoint = await read.checkpoint();
              if (checkpoint > 0 && checkpoint < EVENTS) killedMidway += 1;
              // Whatever was committed is whole: every applied event up to the checkpoint, once.
              expect((await read.readModel()).applied).toEqual({
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
      expect(await read.checkpoint()).toBe(EVENTS);
      expect(await read.readModel()).toEqual(clean);
    });

    it('three runners at once apply every event once and end equal to a clean build', async () => {
      const read = await store.otherReadModels('parallel.read.db');
      const args = ['--read-db', read.readDb, 'projections', 'run', '--batch-size', '50'];
      const results = await Promise.all([0, 1, 2].map(() => collect(store.start(args))));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(await read.checkpoint()).toBe(EVENTS);
      expect(await read.readModel()).toEqual(clean);
    });

    it('a runner started while another is half-way through leaves the same tables', async () => {
      const read = await store.otherReadModels('staggered.read.db');
      const args = ['--read-db', read.readDb, 'projections', 'run', '--batch-size', '50'];
      const first = collect(store.start(args));
      await waitForCheckpoint(read, EVENTS / 4, first);
      const second = collect(store.start(args));
      const results = await Promise.all([first, second]);
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(await read.readModel()).toEqual(clean);
      const again = await store.cli(['--read-db', read.readDb, 'projections', '--format', 'json']);
      expect(JSON.parse(again.stdout)).toMatchObject([
        { name: 'account_summary', status: 'ok', checkpoint: EVENTS, head: EVENTS, lag: 0 },
      ]);
    });
  });
}

/** Polls until the checkpoint reaches `threshold` (true) or the process exits first (false). */
async function waitForCheckpoint(
  read: ReadModels,
  threshold: number,
  exited: Promise<unknown>,
): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    try {
      if ((await read.checkpoint()) >= threshold) return true;
    } catch {
      // The file may be mid-creation; look again.
    }
    await sleep(2);
  }
  return false;
}
