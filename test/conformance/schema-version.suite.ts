import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateEventIdError, InputError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { EventStore, ImportedEvent } from '../../src/core/ports.js';
import { eventJsonLine } from '../../src/core/recorded-event.js';
import type { OpenedStore } from './event-store.suite.js';

// Every adapter keeps each event's schema version (issue 20) and imports by content: run by
// the SQLite and PostgreSQL conformance files alike, through the port only.

const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const at = { now: () => new Date('2026-01-02T03:04:05.678Z') };

async function all(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pages) events.push(...page);
  return events;
}

/** One import of `batches`, each its own `add`. */
async function importing(store: EventStore, ...batches: ImportedEvent[][]) {
  const session = await store.beginImport();
  try {
    for (const events of batches) await session.add(events);
    return await session.commit();
  } catch (error) {
    await session.rollback();
    throw error;
  }
}

const exported = (n: number, extra: Partial<ImportedEvent> = {}): ImportedEvent => ({
  stream: 'a',
  type: 'T',
  id: ID(n),
  data: { n },
  metadata: { m: n },
  recordedAt: `2026-01-0${n}T00:00:00.000Z`,
  ...extra,
});

export function describeSchemaVersions(label: string, open: () => Promise<OpenedStore>): void {
  describe(`EventStore schema versions: ${label}`, () => {
    let opened: OpenedStore;
    let store: EventStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    it('keeps the schema version an append gives, 1 when it gives none', async () => {
      const appended = await store.append(
        'a',
        [
          { type: 'T', data: { n: 1 }, id: ID(1) },
          { type: 'T', data: { n: 2 }, id: ID(2), schemaVersion: 3 },
        ],
        at,
      );
      const lines = [
        `{"position":1,"stream":"a","version":1,"type":"T","id":"${ID(1)}","data":{"n":1},"metadata":{},"recordedAt":"2026-01-02T03:04:05.678Z"}`,
        `{"position":2,"stream":"a","version":2,"type":"T","schemaVersion":3,"id":"${ID(2)}","data":{"n":2},"metadata":{},"recordedAt":"2026-01-02T03:04:05.678Z"}`,
      ];
      expect(appended.events.map(eventJsonLine)).toEqual(lines);
      expect((await all(store.readStream('a'))).map(eventJsonLine)).toEqual(lines);
      expect((await all(store.readLog())).map(eventJsonLine)).toEqual(lines);
      expect(
        (await all(store.readLog({ types: ['T'], lean: true }))).map((e) => e.schemaVersion),
      ).toEqual([1, 3]);
      const reopened = await opened.reopen();
      expect((await all(reopened.readStream('a', { backwards: true }))).map(eventJsonLine)).toEqual(
        [...lines].reverse(),
      );
    });

    it('refuses a schema version that is not a positive integer', async () => {
      for (const schemaVersion of [0, 1.5, -1]) {
        const failure = store.append('a', [{ type: 'T', data: {}, schemaVersion }]);
        await expect(failure).rejects.toThrow(InputError);
        await expect(failure).rejects.toThrow(
          `event 1 (T): schemaVersion must be a positive integer, got ${schemaVersion}`,
        );
      }
      expect(await store.head()).toBe(0);
    });

    it('imports the schema version, and re-imports the same content as a safe retry', async () => {
      const events = [exported(1), exported(2, { schemaVersion: 2 })];
      expect(await importing(store, events)).toEqual({ imported: 2, skipped: 0, head: 2 });
      expect(await importing(store, events)).toEqual({ imported: 0, skipped: 2, head: 2 });
      expect((await all(store.readLog())).map((event) => event.schemaVersion)).toEqual([1, 2]);
    });

    it('refuses an id stored with other content, naming the id and what differs', async () => {
      await importing(store, [exported(1), exported(2, { schemaVersion: 2 })]);
      const refused = async (event: ImportedEvent, message: string) => {
        const failure = importing(store, [exported(3), event]);
        await expect(failure).rejects.toThrow(DuplicateEventIdError);
        await expect(failure).rejects.toThrow(message);
      };
      const rest = 'an import adds what the store lacks and never changes a stored event';
      await refused(
        exported(1, { data: { n: 100 } }),
        `duplicate event id ${ID(1)}: already stored in "a" with other content (data differs); ${rest}`,
      );
      await refused(
        exported(2),
        `duplicate event id ${ID(2)}: already stored in "a" with other content (schemaVersion differs); ${rest}`,
      );
      await refused(
        exported(1, { type: 'U', metadata: {}, recordedAt: '2027-01-01T00:00:00.000Z' }),
        `duplicate event id ${ID(1)}: already stored in "a" with other content (type, metadata and recordedAt differ); ${rest}`,
      );
      // The same id twice in one import, with other content the second time.
      const twice = importing(store, [exported(4), exported(4, { data: { n: 5 } })]);
      await expect(twice).rejects.toThrow(
        `duplicate event id ${ID(4)}: already stored in "a" with other content (data differs)`,
      );
      // Each refused import changed nothing.
      expect(await store.head()).toBe(2);
    });

    it('compares an id written by an earlier batch of the same import, into an empty store', async () => {
      // Batches of one import: PostgreSQL's import remembers what it wrote rather than asking
      // the server per batch, and must still refuse other content under an id it wrote.
      const refused = importing(
        store,
        [exported(1), exported(2, { schemaVersion: 2 })],
        [exported(2)],
      );
      await expect(refused).rejects.toThrow(
        `duplicate event id ${ID(2)}: already stored in "a" with other content (schemaVersion differs)`,
      );
      expect(await store.head()).toBe(0);
      const retried = [exported(1), exported(2, { schemaVersion: 2 })];
      expect(await importing(store, retried, retried, [exported(3)])).toEqual({
        imported: 3,
        skipped: 2,
        head: 3,
      });
      expect((await all(store.readLog())).map((event) => event.schemaVersion)).toEqual([1, 2, 1]);
    });

    it('counts the stored types per schema version, with their first and last times', async () => {
      expect(await store.eventTypes()).toEqual([]);
      await importing(store, [
        exported(1, { type: 'B' }),
        exported(2, { type: 'A', schemaVersion: 2 }),
        exported(3, { type: 'B' }),
        exported(4, { type: 'A' }),
      ]);
      expect(await store.eventTypes()).toEqual([
        {
          type: 'A',
          schemaVersion: 1,
          events: 1,
          firstRecordedAt: '2026-01-04T00:00:00.000Z',
          lastRecordedAt: '2026-01-04T00:00:00.000Z',
        },
        {
          type: 'A',
          schemaVersion: 2,
          events: 1,
          firstRecordedAt: '2026-01-02T00:00:00.000Z',
          lastRecordedAt: '2026-01-02T00:00:00.000Z',
        },
        {
          type: 'B',
          schemaVersion: 1,
          events: 2,
          firstRecordedAt: '2026-01-01T00:00:00.000Z',
          lastRecordedAt: '2026-01-03T00:00:00.000Z',
        },
      ]);
    });
  });
}
