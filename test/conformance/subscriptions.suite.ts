import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealValue } from '../../src/app/seal.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { EventStore } from '../../src/core/ports.js';
import type { SubscriptionFilter } from '../../src/core/subscriptions.js';
import type { OpenedStore } from './event-store.suite.js';

// What `subscribe`, `log`'s filters and the followers need of an EventStore, for any adapter:
// filtered reads, reads by position, the subscriptions' bookkeeping, and a watch that wakes
// on another connection's commit. `open` gives a fresh, empty store.

const T = (minute: number) => new Date(`2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`);
const EVERYTHING: SubscriptionFilter = {
  types: [],
  category: null,
  streamPrefix: null,
  systemStreams: false,
};

async function collect(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pages) events.push(...page);
  return events;
}

export function describeSubscriptionPorts(label: string, open: () => Promise<OpenedStore>): void {
  describe(`EventStore for subscriptions and followers: ${label}`, () => {
    let opened: OpenedStore;
    let store: EventStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const positions = async (options: Parameters<EventStore['readLog']>[0]) =>
      (await collect(store.readLog(options))).map((event) => event.position);

    /** 1 account-1, 2 account-2+eu, 3 accountx-1, 4 account, 5 order-1, 6 $audit, 7 account-1 */
    async function mixedLog(): Promise<void> {
      const streams = ['account-1', 'account-2+eu', 'accountx-1', 'account', 'order-1'];
      for (const [index, stream] of streams.entries()) {
        await store.append(stream, [{ type: index % 2 ? 'B' : 'A', data: { index } }], {
          now: () => T(index),
        });
      }
      await store.append('$audit', [{ type: 'Noted', data: {} }], { now: () => T(5) });
      await store.append('account-1', [{ type: 'B', data: {} }], { now: () => T(6) });
    }

    describe('filtered reads of the log', () => {
      it('by category: the name before the first "-", the bare name included', async () => {
        await mixedLog();
        expect(await positions({ category: 'account' })).toEqual([1, 2, 4, 7]);
        expect(await positions({ category: 'order' })).toEqual([5]);
        expect(await positions({ category: '$audit' })).toEqual([6]);
        expect(await positions({ category: 'acc' })).toEqual([]);
      });

      it('by stream prefix, compared as text (no pattern, case kept)', async () => {
        await mixedLog();
        await store.append('a%_b', [{ type: 'A', data: {} }]);
        await store.append('ACCOUNT-9', [{ type: 'A', data: {} }]);
        expect(await positions({ streamPrefix: 'account' })).toEqual([1, 2, 3, 4, 7]);
        expect(await positions({ streamPrefix: 'a%_' })).toEqual([8]);
        expect(await positions({ streamPrefix: 'a%' })).toEqual([8]);
        expect(await positions({ streamPrefix: 'account-1' })).toEqual([1, 7]);
      });

      it('without system streams, and together with types, from and limit', async () => {
        await mixedLog();
        expect(await positions({ withoutSystemStreams: true })).toEqual([1, 2, 3, 4, 5, 7]);
        expect(await positions({ category: 'account', types: ['B'] })).toEqual([2, 4, 7]);
        expect(await positions({ category: 'account', from: 2, limit: 2 })).toEqual([2, 4]);
      });

      it('since an instant, whatever the form of the stored time', async () => {
        await mixedLog();
        const session = await store.beginImport();
        await session.add([
          {
            stream: 'late-1',
            type: 'A',
            id: '00000000-0000-4000-8000-000000000001',
            data: {},
            metadata: {},
            recordedAt: '2026-11-26T10:03:00Z',
          },
        ]);
        await session.commit();
        expect(await positions({ since: '2026-11-26T10:03:00.000Z' })).toEqual([4, 5, 6, 7, 8]);
        expect(await positions({ since: '2026-11-26T10:03:00.001Z' })).toEqual([5, 6, 7]);
        expect(await positions({ since: '2026-11-26T11:00:00.000Z' })).toEqual([]);
      });

      it('by correlation id: its events, and every event that names a cause', async () => {
        const append = (stream: string, metadata: Record<string, unknown>) =>
          store.append(stream, [{ type: 'A', data: {}, metadata }]);
        await append('a-1', { correlationId: 'c-1' });
        await append('a-2', { correlationId: 'c-2' });
        await append('a-3', { causationId: 'x' });
        await append('a-4', { correlationId: 7 });
        await append('a-5', { causationId: null });
        await append('a-6', {});
        expect(await positions({ correlationId: 'c-1' })).toEqual([1, 3]);
        expect(await positions({ correlationId: '7' })).toEqual([3]);
      });
    });

    it('reads events by position, in order, leaving out positions with none', async () => {
      await mixedLog();
      const events = await store.readPositions([7, 2, 99, 4]);
      expect(events.map((event) => [event.position, event.stream])).toEqual([
        [2, 'account-2+eu'],
        [4, 'account'],
        [7, 'account-1'],
      ]);
      expect(await store.readPositions([])).toEqual([]);
    });

    it('reads by position as readLog reads: sealed fields opened, a hard-deleted stream gone', async () => {
      const keys = await store.subjectKeys(['ann']);
      const name = sealValue('Ann', keys.get('ann')!);
      await store.append('person-1', [{ type: 'Person', data: { id: 'ann', name } }]);
      await store.append('soft-1', [{ type: 'A', data: {} }]);
      await store.append('hard-1', [{ type: 'A', data: {} }]);
      await store.deleteStream('soft-1', { hard: false });
      await store.deleteStream('hard-1', { hard: true });
      const logged = await collect(store.readLog());
      const events = await store.readPositions([1, 2, 3]);
      expect(events.map((event) => [event.position, event.stream])).toEqual([
        [1, 'person-1'],
        [2, 'soft-1'],
      ]);
      expect(events[0]!.data).toEqual({ id: 'ann', name: 'Ann' });
      expect(events.map((event) => event.data)).toEqual(
        logged.filter((event) => event.position <= 3).map((event) => event.data),
      );
    });

    describe('subscriptions', () => {
      const subs = () => store.subscriptions;
      const at = '2026-11-26T12:00:00.000Z';
      const record = (position: number, kind: 'parked' | 'skipped', stream = `s-${position}`) => ({
        position,
        stream,
        type: 'A',
        kind,
        error: `failed at ${position}`,
        attempts: 1,
      });

      it('creates a member once, and lists members by name with their counts', async () => {
        const filter = { ...EVERYTHING, types: ['B', 'A'], category: 'account' };
        const made = await subs().create(
          { name: 'web', member: 1, groupSize: 3, filter, checkpoint: 4 },
          at,
        );
        expect(made).toEqual({
          name: 'web',
          member: 1,
          groupSize: 3,
          filter: { ...filter, types: ['A', 'B'] },
          checkpoint: 4,
          createdAt: at,
          updatedAt: at,
          parked: 0,
          skipped: 0,
        });
        const again = await subs().create(
          { name: 'web', member: 1, groupSize: 3, filter, checkpoint: 9 },
          '2026-11-27T00:00:00.000Z',
        );
        expect(again).toEqual(made);
        await subs().create({ name: 'web', member: 0, groupSize: 3, filter, checkpoint: 0 }, at);
        await subs().create(
          { name: 'copy', member: 0, groupSize: 1, filter: EVERYTHING, checkpoint: 0 },
          at,
        );
        expect((await subs().list()).map((row) => [row.name, row.member])).toEqual([
          ['copy', 0],
          ['web', 0],
          ['web', 1],
        ]);
        expect((await subs().list('web')).map((row) => row.member)).toEqual([0, 1]);
        expect(await subs().list('nobody')).toEqual([]);
      });

      it('acknowledges with a compare-and-set on the checkpoint, set-aside records included', async () => {
        await subs().create(
          { name: 'web', member: 0, groupSize: 1, filter: EVERYTHING, checkpoint: 0 },
          at,
        );
        const ack = {
          move: { from: 0, to: 5 },
          setAside: [record(3, 'parked'), record(4, 'skipped')],
          delivered: [],
        };
        expect(await subs().acknowledge('web', 0, ack, at)).toBe(true);
        // The same move again: the checkpoint is at 5 now, so nothing is written.
        expect(
          await subs().acknowledge('web', 0, { ...ack, setAside: [record(5, 'parked')] }, at),
        ).toBe(false);
        const [row] = await subs().list('web');
        expect(row).toMatchObject({ checkpoint: 5, parked: 1, skipped: 1, updatedAt: at });
        expect(await subs().setAside('web')).toEqual([
          { ...record(3, 'parked'), member: 0, at, queued: false },
          { ...record(4, 'skipped'), member: 0, at, queued: false },
        ]);
        expect(await subs().acknowledge('nobody', 0, { setAside: [], delivered: [] }, at)).toBe(
          false,
        );
      });

      it('set-aside records: updated in place, queried, queued for retry and removed once delivered', async () => {
        await subs().create(
          { name: 'web', member: 2, groupSize: 3, filter: EVERYTHING, checkpoint: 0 },
          at,
        );
        await subs().acknowledge(
          'web',
          2,
          {
            move: { from: 0, to: 9 },
            setAside: [record(3, 'parked', 's'), record(6, 'parked', 's'), record(8, 'skipped')],
            delivered: [],
          },
          at,
        );
        const later = '2026-11-26T13:00:00.000Z';
        await subs().acknowledge(
          'web',
          2,
          {
            setAside: [{ ...record(3, 'parked', 's'), error: 'again', attempts: 2 }],
            delivered: [],
          },
          later,
        );
        expect(
          (await subs().setAside('web', { kind: 'parked' })).map((row) => [
            row.position,
            row.attempts,
            row.error,
            row.at,
          ]),
        ).toEqual([
          [3, 3, 'again', later],
          [6, 1, 'failed at 6', at],
        ]);
        expect(await subs().setAside('web', { member: 0 })).toEqual([]);
        expect((await subs().setAside('web', { limit: 1 })).map((row) => row.position)).toEqual([
          3,
        ]);
        expect(await subs().requeue('web', { skipped: false })).toBe(2);
        expect((await subs().setAside('web', { queued: true })).map((row) => row.position)).toEqual(
          [3, 6],
        );
        expect(await subs().requeue('web', { skipped: true })).toBe(1);
        expect(await subs().requeue('web', { skipped: true })).toBe(0);
        await subs().acknowledge('web', 2, { setAside: [], delivered: [3, 8] }, later);
        expect((await subs().setAside('web')).map((row) => [row.position, row.queued])).toEqual([
          [6, true],
        ]);
      });

      it('drops every member and record of one subscription, and says whether there was one', async () => {
        for (const member of [0, 1]) {
          await subs().create(
            { name: 'web', member, groupSize: 2, filter: EVERYTHING, checkpoint: 0 },
            at,
          );
        }
        await subs().create(
          { name: 'keep', member: 0, groupSize: 1, filter: EVERYTHING, checkpoint: 0 },
          at,
        );
        await subs().acknowledge(
          'web',
          1,
          { move: { from: 0, to: 2 }, setAside: [record(2, 'parked')], delivered: [] },
          at,
        );
        expect(await subs().drop('web')).toBe(true);
        expect(await subs().drop('web')).toBe(false);
        expect((await subs().list()).map((row) => row.name)).toEqual(['keep']);
        expect(await subs().setAside('web')).toEqual([]);
      });
    });

    describe('watching for commits', () => {
      it("wakes on another connection's append and import, and keeps a change that came before the wait", async () => {
        const watch = await store.watchChanges();
        const other = await opened.reopen();
        try {
          await other.append('a-1', [{ type: 'A', data: {} }]);
          // The change came before this wait: it returns at once rather than after a minute.
          await watch.next(60_000);
          const woken = watch.next(60_000);
          const session = await other.beginImport();
          await session.add([
            {
              stream: 'b-1',
              type: 'A',
              id: '00000000-0000-4000-8000-000000000002',
              data: {},
              metadata: {},
              recordedAt: '2026-11-26T10:00:00.000Z',
            },
          ]);
          await session.commit();
          await woken;
          expect(await store.head()).toBe(2);
        } finally {
          await watch.close();
        }
      });

      it('ends a wait when its signal aborts, and after its timeout', async () => {
        const watch = await store.watchChanges();
        try {
          const controller = new AbortController();
          const waiting = watch.next(60_000, controller.signal);
          controller.abort();
          await waiting;
          await watch.next(1);
        } finally {
          await watch.close();
        }
      });
    });
  });
}
