import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/core/events.js';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type ReadStore,
} from '../../src/core/ports.js';
import type { SetAsideEvent } from '../../src/core/set-aside.js';
import { event, SUMMARY, summaryStatements, type ReadStoreHarness } from './read-store.suite.js';

// What a projection's onError policy needs of a ReadStore, for any adapter: set-aside events
// recorded with the batch that leaves them out, applied again later, replaced by a rebuild,
// dropped with the projection, and a watch that wakes a waiter when a checkpoint moves.

const AT = '2026-11-26T11:00:00.000Z';
const guard = (definitionHash = 'def-1'): BatchGuard => ({ version: 1, definitionHash, at: AT });

const OPENED = [
  event(1, 'AccountOpened', { id: 'a', owner: 'Ada' }),
  event(2, 'AccountOpened', { id: 'b', owner: 'Bob' }),
];

function aside(position: number, kind: 'parked' | 'skipped', error = 'boom'): SetAsideEvent {
  return { position, stream: `account-x`, type: 'MoneyDeposited', kind, error, attempts: 1 };
}

export function describeSetAside(label: string, open: () => Promise<ReadStoreHarness>): void {
  describe(`ReadStore set-aside events: ${label}`, () => {
    let harness: ReadStoreHarness;
    let read: ReadStore;
    beforeEach(async () => {
      harness = await open();
      read = harness.read;
      await read.createProjection(SUMMARY, AT);
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const balances = async () =>
      (await read.query('SELECT account_id, balance FROM account_summary ORDER BY account_id'))
        .rows;
    const batch = (
      from: number,
      to: number,
      events: RecordedEvent[],
      setAside: SetAsideEvent[] = [],
    ): ProjectionBatch => ({ from, to, events, statementsFor: summaryStatements(), setAside });

    it('records the events a batch sets aside in its transaction, and counts them on the row', async () => {
      const deposit = event(4, 'MoneyDeposited', { id: 'a', amount: 5 });
      expect(
        await read.applyBatch(
          SUMMARY.name,
          batch(0, 5, [...OPENED, deposit], [aside(3, 'parked'), aside(5, 'skipped')]),
          guard(),
        ),
      ).toBe(true);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        checkpoint: 5,
        parked: 1,
        skipped: 1,
      });
      expect((await read.projectionRows()).get(SUMMARY.name)).toMatchObject({ parked: 1 });
      expect(await read.setAsideEvents(SUMMARY.name)).toEqual([
        { ...aside(3, 'parked'), member: 0, at: AT, queued: false },
        { ...aside(5, 'skipped'), member: 0, at: AT, queued: false },
      ]);
      expect((await read.setAsideEvents(SUMMARY.name, { kind: 'skipped' })).length).toBe(1);
      // A batch that loses its compare-and-set records nothing.
      expect(
        await read.applyBatch(SUMMARY.name, batch(0, 6, [], [aside(6, 'parked')]), guard()),
      ).toBe(false);
      expect((await read.setAsideEvents(SUMMARY.name)).map((row) => row.position)).toEqual([3, 5]);
      // The read-only opening sees the same.
      const looking = await harness.readOnly();
      expect(await looking!.setAsideEvents(SUMMARY.name)).toHaveLength(2);
      expect(await looking!.projectionRow(SUMMARY.name)).toMatchObject({ parked: 1, skipped: 1 });
    });

    it('applies set-aside events again: their rows go, one that fails again is updated', async () => {
      await read.applyBatch(
        SUMMARY.name,
        batch(0, 5, OPENED, [aside(3, 'parked'), aside(4, 'parked')]),
        guard(),
      );
      const retried = {
        events: [event(3, 'MoneyDeposited', { id: 'a', amount: 7 })],
        statementsFor: summaryStatements(),
        setAside: [{ ...aside(4, 'parked', 'still broken'), attempts: 1 }],
      };
      expect(await read.applySetAside(SUMMARY.name, retried, guard())).toBe(true);
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 7 },
        { account_id: 'b', balance: 0 },
      ]);
      expect(await read.setAsideEvents(SUMMARY.name)).toEqual([
        { ...aside(4, 'parked', 'still broken'), attempts: 2, member: 0, at: AT, queued: false },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({ checkpoint: 5, parked: 1 });
      // Another definition: nothing applied.
      expect(await read.applySetAside(SUMMARY.name, retried, guard('def-2'))).toBe(false);
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 7 });
    });

    it('a handler that fails on a retried event rolls the retry back', async () => {
      await read.applyBatch(SUMMARY.name, batch(0, 5, OPENED, [aside(3, 'parked')]), guard());
      const failing = {
        events: [event(3, 'MoneyDeposited', { id: 'a', amount: 7 }), event(4, 'Explode', {})],
        statementsFor: summaryStatements(),
      };
      await expect(read.applySetAside(SUMMARY.name, failing, guard())).rejects.toBeInstanceOf(
        HandlerFailure,
      );
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 0 });
      expect((await read.setAsideEvents(SUMMARY.name)).map((row) => row.position)).toEqual([3]);
    });

    it('a rebuild swaps in the set-aside events it found; a drop forgets them', async () => {
      await read.applyBatch(
        SUMMARY.name,
        batch(0, 5, OPENED, [aside(3, 'parked'), aside(4, 'skipped')]),
        guard(),
      );
      const build = await read.startRebuild(SUMMARY, AT);
      await build.apply(batch(0, 5, OPENED));
      await build.swapIn(5, AT, [aside(5, 'skipped')]);
      expect(
        (await read.setAsideEvents(SUMMARY.name)).map((row) => [row.position, row.kind]),
      ).toEqual([[5, 'skipped']]);
      expect(await read.dropProjection(SUMMARY.name)).toBe(true);
      expect(await read.setAsideEvents(SUMMARY.name)).toEqual([]);
    });

    it('wakes a waiter when another connection moves a checkpoint', async () => {
      const looking = (await harness.readOnly())!;
      const watch = await looking.watchChanges();
      try {
        const woken = watch.next(60_000);
        await read.applyBatch(SUMMARY.name, batch(0, 2, OPENED), guard());
        await woken;
        expect(await looking.projectionRow(SUMMARY.name)).toMatchObject({ checkpoint: 2 });
      } finally {
        await watch.close();
        await looking.close();
      }
    });
  });
}
