import { describe, expect, it } from 'vitest';
import { waitForProjections } from '../../src/app/projections-wait.js';
import type { Domain } from '../../src/core/domain.js';
import { TimeoutError } from '../../src/core/errors.js';
import type { EventStore, ReadStore } from '../../src/core/ports.js';
import type { Projection } from '../../src/core/projection.js';
import { projectionRowFor } from '../helpers/projection-row.js';

// The wait's clock is given: each look at it here is one second later, so the timeout runs out
// after a known number of polls, with no real time passing.

const projection: Projection = { name: 'summary', version: 1, setup: [], on: {} };
const domain = { deciders: {}, projections: [projection] } as unknown as Domain;

/** A read store whose checkpoint is the next of `checkpoints` at each look (the last one sticks). */
function readStore(checkpoints: number[]): ReadStore {
  let looks = 0;
  return {
    location: 'read.db',
    builtFrom: async () => 'store-1',
    projectionRows: async () => {
      const checkpoint = checkpoints[Math.min(looks++, checkpoints.length - 1)]!;
      return new Map([['summary', projectionRowFor(projection, { checkpoint })]]);
    },
    // Wakes at once, as if a checkpoint moved before every look.
    watchChanges: async () => ({ next: async () => {}, close: async () => {} }),
  } as unknown as ReadStore;
}

function context(read: ReadStore) {
  return {
    store: { head: async () => 10, storeId: async () => 'store-1' } as unknown as EventStore,
    read,
    domain,
  };
}

/** A clock one second later at each look. */
function ticking(): () => number {
  let seconds = 0;
  return () => 1000 * seconds++;
}

describe('projections wait running out of time', () => {
  it('without a timeout, gives up after the default and says nothing moved the checkpoints', async () => {
    const waited = waitForProjections(context(readStore([4])), { pollMs: 0, now: ticking() });
    await expect(waited).rejects.toThrow(TimeoutError);
    await expect(waited).rejects.toThrow(
      'projections did not reach position 10 within 60 s: summary (at 4); nothing moved their checkpoints meanwhile, so nothing seems to be running them: run "eventlite projections run" (or keep "eventlite projections run --follow" going) and wait again',
    );
  });

  it('says how far the checkpoints moved when a runner was at work, and to wait longer', async () => {
    // The first look is the check that these read models are this store's.
    const waited = waitForProjections(context(readStore([2, 2, 3, 5, 7])), {
      pollMs: 0,
      timeoutMs: 5000,
      now: ticking(),
    });
    await expect(waited).rejects.toThrow(
      'projections did not reach position 10 within 5 s: summary (at 7); their checkpoints moved meanwhile (summary 2 → 7), so a runner is at work: wait longer with --timeout SECONDS',
    );
  });

  it('returns once the checkpoint reaches the head', async () => {
    await expect(
      waitForProjections(context(readStore([2, 10])), {
        pollMs: 0,
        timeoutMs: 5000,
        now: ticking(),
      }),
    ).resolves.toBeUndefined();
  });
});
