import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventStore, ImportedEvent } from '../../src/core/ports.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// The PostgreSQL import (src/store/postgres/import.ts): what it asks the server, and a batch
// whose INSERT fails after `add` returned. The conformance suite checks what it writes.

const PG_OFF = process.env.EVENTLITE_TEST_PG === 'off';
const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

const events = (from: number, count: number, stream = (n: number) => `s-${n % 3}`) =>
  Array.from({ length: count }, (_, index): ImportedEvent => ({
    stream: stream(from + index),
    type: 'T',
    id: ID(from + index),
    data: { n: from + index },
    metadata: {},
    recordedAt: '2026-01-01T00:00:00.000Z',
  }));

/** The statements sent through `pg` while `work` runs: a name for a named one, else its text. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const sent = vi.spyOn(pg.Client.prototype, 'query');
  try {
    await work();
    return sent.mock.calls.map(([query]) =>
      typeof query === 'string' ? query : ((query as { name?: string; text: string }).name ?? ''),
    );
  } finally {
    sent.mockRestore();
  }
}

if (PG_OFF) {
  it.skip('PostgreSQL import (skipped: EVENTLITE_TEST_PG=off)', () => {});
} else {
  describe('PostgreSQL import', () => {
    let database: Awaited<ReturnType<typeof freshPgDatabase>>;
    let store: EventStore;

    beforeEach(async () => {
      database = await freshPgDatabase();
      store = await openPostgresEventStore(database.url, { create: true });
    });
    afterEach(async () => {
      await store.close();
      await database.drop();
    });

    it('into an empty store asks the server nothing about new events: it knows what it wrote', async () => {
      const session = await store.beginImport();
      const sent = await statementsOf(async () => {
        for (let batch = 0; batch < 4; batch += 1) await session.add(events(batch * 50 + 1, 50));
      });
      expect(sent).toEqual(Array(4).fill('eventlite.insertEvents'));
      // An id it may have written is checked with the server: a repeat, skipped.
      const repeat = await statementsOf(() => session.add(events(1, 1)));
      expect(repeat).toEqual(['eventlite.importProbe']);
      expect(await session.commit()).toEqual({ imported: 200, skipped: 1, head: 200 });
      expect(await store.streamVersion('s-0')).toBe(66);
    });

    it('into a store with events: each batch asks once, by index probes', async () => {
      await store.append('s-1', [{ type: 'T', data: {} }]);
      const sent = await statementsOf(async () => {
        const session = await store.beginImport();
        await session.add(events(1, 30));
        await session.add(events(31, 30));
        expect(await session.commit()).toEqual({ imported: 60, skipped: 0, head: 61 });
      });
      expect(sent).toEqual([
        'BEGIN ISOLATION LEVEL READ COMMITTED',
        'eventlite.lockHead',
        // Once an import, not once a batch: the deleted streams, whose ids it must not bring back.
        'eventlite.deletedStreams',
        ...Array(2).fill(['eventlite.importProbe', 'eventlite.insertEvents']).flat(),
        'eventlite.setHead',
        'COMMIT',
      ]);
      expect(await store.streamVersion('s-1')).toBe(21);
      expect((await store.verify()).every((check) => check.ok)).toBe(true);
    });

    it('a batch whose INSERT fails after add returned: the next add or commit says so, nothing stays', async () => {
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await admin.query(`
          CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'no events of stream %', NEW.stream; END $$;
          CREATE TRIGGER refuse BEFORE INSERT ON eventlite.events
            FOR EACH ROW WHEN (NEW.stream = 'refused') EXECUTE FUNCTION public.refuse()`);
      } finally {
        await admin.end();
      }
      for (const end of ['add', 'commit'] as const) {
        const session = await store.beginImport();
        await session.add(events(1, 5));
        await session.add(events(6, 5, () => 'refused'));
        const next = end === 'add' ? session.add(events(11, 5)) : session.commit();
        await expect(next).rejects.toThrow('no events of stream refused');
        await session.rollback();
        expect(await store.counts()).toEqual({ head: 0, streams: 0, events: 0 });
      }
      await store.append('a', [{ type: 'T', data: {} }]);
      expect(await store.head()).toBe(1);
    });
  });
}
