import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyError, DuplicateEventIdError, InputError } from '../../src/core/errors.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../../src/core/events.js';
import type { EventStore, ImportedEvent, StreamSummary } from '../../src/core/ports.js';
import { eventJsonLine } from '../../src/core/recorded-event.js';

// One suite for every EventStore adapter: it speaks only the port, so SQLite and PostgreSQL
// must give the same answers, messages included. `open` gives a fresh, empty store; `reopen`
// opens the same store again through another connection.

export interface OpenedStore {
  store: EventStore;
  reopen(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T0 = new Date('2026-01-02T03:04:05.678Z');
const at = (date: Date) => ({ now: () => date });

const newEvents = (count: number, type = 'T', from = 1): NewEvent[] =>
  Array.from({ length: count }, (_, index) => ({ type, data: { n: from + index } }));

async function collect(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of pages) {
    expect(page.length).toBeGreaterThan(0);
    expect(page.length).toBeLessThanOrEqual(2000);
    events.push(...page);
  }
  return events;
}

async function pageSizes(pages: AsyncIterable<RecordedEvent[]>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const page of pages) sizes.push(page.length);
  return sizes;
}

/** The contract's fields, read one by one (a read's data and metadata may be parsed lazily). */
function plain(event: RecordedEvent): RecordedEvent {
  const { position, stream, version, type, id, data, metadata, recordedAt } = event;
  return { position, stream, version, type, id, data, metadata, recordedAt };
}

/** The error `work` fails with; fails the test when it succeeds. */
export async function caught(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, but it succeeded');
}

export function describeEventStore(label: string, open: () => Promise<OpenedStore>): void {
  describe(`EventStore conformance: ${label}`, () => {
    let opened: OpenedStore;
    let store: EventStore;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const log = async (options?: Parameters<EventStore['readLog']>[0]) =>
      collect(store.readLog(options));
    const streamEvents = async (
      stream: string,
      options?: Parameters<EventStore['readStream']>[1],
    ) => collect(store.readStream(stream, options));

    describe('append', () => {
      it('starts positions and versions at 1, stamps recordedAt and fills in ids', async () => {
        expect(await store.head()).toBe(0);
        expect(await store.streamVersion('a')).toBe(0);
        const first = await store.append(
          'a',
          [
            { type: 'Opened', data: { owner: 'Ann' } },
            { type: 'Deposited', data: { amount: 5 }, metadata: { by: 'test' } },
          ],
          at(T0),
        );
        const second = await store.append('b', [{ type: 'Opened', data: {} }], at(T0));
        expect(first.alreadyStored).toBe(false);
        expect(first.version).toBe(2);
        expect(first.events.map((e) => [e.position, e.stream, e.version, e.type])).toEqual([
          [1, 'a', 1, 'Opened'],
          [2, 'a', 2, 'Deposited'],
        ]);
        expect(second.events.map((e) => [e.position, e.version])).toEqual([[3, 1]]);
        expect(await store.head()).toBe(3);
        expect(await store.streamVersion('a')).toBe(2);
        expect(await store.streamVersion('b')).toBe(1);

        const stored = await log();
        expect(stored.map(plain)).toEqual([...first.events, ...second.events].map(plain));
        expect(stored[1]!.metadata).toEqual({ by: 'test' });
        expect(stored[0]!.metadata).toEqual({});
        expect(stored.every((e) => e.recordedAt === '2026-01-02T03:04:05.678Z')).toBe(true);
        expect(stored.every((e) => UUID.test(e.id))).toBe(true);
        expect(new Set(stored.map((e) => e.id)).size).toBe(3);
      });

      it('keeps a given id, lower-cased', async () => {
        const id = 'ABCDEF01-2345-7000-8000-0000000000AA';
        const result = await store.append('a', [{ type: 'T', data: {}, id }]);
        expect(result.events[0]!.id).toBe(id.toLowerCase());
        expect((await log())[0]!.id).toBe(id.toLowerCase());
      });

      it('keeps the bytes of data and metadata: key order, unicode, escapes, big numbers', async () => {
        const data: JsonObject = {
          z: 1,
          a: { y: [1, 2, { x: null }], b: true },
          text: 'naïve ☃ 😀 "quoted" \\ back\nslash \u0000 nul \ud800 lone',
          big: 1e300,
          small: -0.000001,
          max: 9007199254740991,
        };
        const metadata = { '': 'empty key', ü: 'ü' };
        await store.append('a', [{ type: 'T', data, metadata }]);
        const [event] = await log();
        expect(eventJsonLine(event!)).toContain(
          `"data":${JSON.stringify(data)},"metadata":${JSON.stringify(metadata)}`,
        );
        expect(event!.data).toEqual(data);
      });

      it('accepts an empty batch without writing', async () => {
        await store.append('a', newEvents(1));
        const result = await store.append('a', [], { expectedVersion: 1 });
        expect(result).toEqual({ stream: 'a', events: [], version: 1, alreadyStored: false });
        expect(await store.head()).toBe(1);
      });
    });

    describe('expected version', () => {
      it('no-stream: only a stream that does not exist', async () => {
        await store.append('a', newEvents(1), { expectedVersion: 'no-stream' });
        const error = await caught(
          store.append('a', newEvents(1), { expectedVersion: 'no-stream' }),
        );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error.message).toBe(
          'version conflict on stream "a": expected no stream (version 0), actual 1',
        );
        expect(error).toMatchObject({ stream: 'a', expected: 'no stream (version 0)', actual: 1 });
      });

      it('exists: only a stream with events', async () => {
        const error = await caught(store.append('a', newEvents(1), { expectedVersion: 'exists' }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error.message).toBe(
          'version conflict on stream "a": expected an existing stream, actual 0',
        );
        await store.append('a', newEvents(1));
        await store.append('a', newEvents(1), { expectedVersion: 'exists' });
        expect(await store.streamVersion('a')).toBe(2);
      });

      it('a number: exactly that version, 0 for a new stream', async () => {
        await store.append('a', newEvents(2), { expectedVersion: 0 });
        await store.append('a', newEvents(1), { expectedVersion: 2 });
        const error = await caught(store.append('a', newEvents(3), { expectedVersion: 2 }));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error.message).toBe('version conflict on stream "a": expected 2, actual 3');
        expect(error).toMatchObject({ stream: 'a', expected: '2', actual: 3 });
        const ahead = await caught(store.append('b', newEvents(1), { expectedVersion: 1 }));
        expect(ahead.message).toBe('version conflict on stream "b": expected 1, actual 0');
      });

      it('any: always, and is the default', async () => {
        await store.append('a', newEvents(1), { expectedVersion: 'any' });
        await store.append('a', newEvents(1));
        expect(await store.streamVersion('a')).toBe(2);
      });

      it('a conflict writes nothing', async () => {
        await store.append('a', newEvents(1));
        await caught(store.append('a', newEvents(5), { expectedVersion: 7 }));
        expect(await store.head()).toBe(1);
        expect(await log()).toHaveLength(1);
      });
    });

    describe('event ids', () => {
      it('a retry of a stored batch is a no-op, whatever the expected version says', async () => {
        const batch = [
          { type: 'T', data: { n: 1 }, id: ID(1) },
          { type: 'T', data: { n: 2 }, id: ID(2) },
        ];
        const first = await store.append('a', batch, { expectedVersion: 'no-stream' });
        expect(first.events.map((e) => e.id)).toEqual([ID(1), ID(2)]);
        const retry = await store.append('a', batch, { expectedVersion: 'no-stream' });
        expect(retry).toEqual({ stream: 'a', events: [], version: 2, alreadyStored: true });
        expect(await store.head()).toBe(2);
      });

      it('an id stored in another stream is refused, and nothing of the batch is written', async () => {
        await store.append('a', [{ type: 'T', data: {}, id: ID(1) }]);
        const error = await caught(
          store.append('b', [
            { type: 'T', data: {}, id: ID(2) },
            { type: 'T', data: {}, id: ID(1) },
          ]),
        );
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error.message).toBe(`duplicate event id ${ID(1)}: already stored in stream "a"`);
        expect(await store.head()).toBe(1);
        expect(await store.streamVersion('b')).toBe(0);
      });

      it('a batch stored only in part is refused', async () => {
        await store.append('a', [{ type: 'T', data: {}, id: ID(1) }]);
        const error = await caught(
          store.append('a', [
            { type: 'T', data: {}, id: ID(1) },
            { type: 'T', data: {}, id: ID(2) },
          ]),
        );
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error.message).toBe(
          `duplicate event id ${ID(1)}: already stored in "a", but not the whole batch is`,
        );
        expect(await store.head()).toBe(1);
      });

      it('an id repeated within a batch is bad input', async () => {
        const error = await caught(
          store.append('a', [
            { type: 'T', data: {}, id: ID(1) },
            { type: 'T', data: {}, id: ID(1).toUpperCase() },
          ]),
        );
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toBe(`event id ${ID(1)} appears twice in the batch`);
        expect(await store.head()).toBe(0);
      });
    });

    describe('all or nothing', () => {
      it('a bad event type in the middle of a batch stores none of it', async () => {
        await store.append('a', newEvents(1));
        const error = await caught(
          store.append('a', [...newEvents(2), { type: '', data: {} }, ...newEvents(2)]),
        );
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toBe('event type name must be a non-empty string');
        const control = await caught(
          store.append('a', [...newEvents(2), { type: 'bad\u0007type', data: {} }]),
        );
        expect(control.message).toBe(
          'event type name "bad\\u0007type" contains a control character',
        );
        const badId = await caught(
          store.append('a', [...newEvents(2), { type: 'T', data: {}, id: 'nope' }]),
        );
        expect(badId).toBeInstanceOf(InputError);
        expect(badId.message).toBe('event id must be a UUID, got string "nope"');
        expect(await store.head()).toBe(1);
        expect(await store.streamVersion('a')).toBe(1);
      });

      it('refuses a bad stream name', async () => {
        const error = await caught(store.append('', newEvents(1)));
        expect(error).toBeInstanceOf(InputError);
        expect(error.message).toBe('stream name must be a non-empty string');
        expect(await store.head()).toBe(0);
      });
    });

    describe('readStream', () => {
      // 4,500 events in one stream, other streams' events between them: three pages forwards.
      async function fillBigStream(): Promise<void> {
        for (let batch = 0; batch < 3; batch += 1) {
          await store.append('big', newEvents(1500, 'Big', batch * 1500 + 1));
          await store.append(`other-${batch}`, newEvents(3, 'Other'));
        }
      }

      it('reads forwards in pages across page boundaries', async () => {
        await fillBigStream();
        expect(await pageSizes(store.readStream('big'))).toEqual([2000, 2000, 500]);
        const all = await streamEvents('big');
        expect(all.map((e) => e.version)).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1));
        expect(all.map((e) => e.data.n)).toEqual(all.map((e) => e.version));
        expect(all.every((e) => e.stream === 'big')).toBe(true);
        const positions = all.map((e) => e.position);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      });

      it('from and limit, forwards', async () => {
        await fillBigStream();
        const fromMiddle = await streamEvents('big', { from: 1999, limit: 2500 });
        expect(fromMiddle).toHaveLength(2500);
        expect(fromMiddle[0]!.version).toBe(1999);
        expect(fromMiddle.at(-1)!.version).toBe(4498);
        expect((await streamEvents('big', { from: 4499 })).map((e) => e.version)).toEqual([
          4499, 4500,
        ]);
        expect(await streamEvents('big', { from: 4501 })).toEqual([]);
        expect((await streamEvents('big', { limit: 3 })).map((e) => e.version)).toEqual([1, 2, 3]);
      });

      it('backwards, from the end or from a version, with a limit', async () => {
        await fillBigStream();
        const backwards = await streamEvents('big', { backwards: true });
        expect(backwards.map((e) => e.version)).toEqual(
          Array.from({ length: 4500 }, (_, i) => 4500 - i),
        );
        const window = await streamEvents('big', { backwards: true, from: 3000, limit: 2100 });
        expect(window).toHaveLength(2100);
        expect(window[0]!.version).toBe(3000);
        expect(window.at(-1)!.version).toBe(901);
        expect(
          (await streamEvents('big', { backwards: true, from: 2 })).map((e) => e.version),
        ).toEqual([2, 1]);
      });

      it('a stream that does not exist reads as empty', async () => {
        await store.append('a', newEvents(1));
        expect(await streamEvents('missing')).toEqual([]);
        expect(await streamEvents('missing', { backwards: true })).toEqual([]);
      });
    });

    describe('readLog', () => {
      it('reads in position order, with from (inclusive), limit and types', async () => {
        for (let batch = 0; batch < 5; batch += 1) {
          await store.append(`s-${batch % 2}`, newEvents(1000, batch % 2 === 0 ? 'Even' : 'Odd'));
        }
        expect(await pageSizes(store.readLog())).toEqual([2000, 2000, 1000]);
        const all = await log();
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
        const window = await log({ from: 1500, limit: 2600 });
        expect(window.map((e) => e.position)).toEqual(
          Array.from({ length: 2600 }, (_, i) => 1500 + i),
        );
        const odd = await log({ types: ['Odd'] });
        expect(odd).toHaveLength(2000);
        expect(odd.every((e) => e.type === 'Odd')).toBe(true);
        expect(odd[0]!.position).toBe(1001);
        const oddLater = await log({ types: ['Odd', 'Missing'], from: 1500, limit: 1200 });
        expect(oddLater.map((e) => e.position)).toEqual([
          ...Array.from({ length: 501 }, (_, i) => 1500 + i),
          ...Array.from({ length: 699 }, (_, i) => 3001 + i),
        ]);
        expect(await log({ types: ['Even', 'Odd'] })).toHaveLength(5000);
        expect(await log({ from: 5001 })).toEqual([]);
      });

      it('a lean read gives the same events, read in any order, as a whole one', async () => {
        // Interleaved types, so that a lean page of one type spans rows of the other; appended
        // a hundred at a time (three streams in turn), as 2,100 single appends cost a round trip
        // each on PostgreSQL and prove nothing more about reading.
        for (let first = 1; first <= 2100; first += 100) {
          const numbers = Array.from({ length: 100 }, (_, index) => first + index);
          await store.append(
            `s-${(first - 1) % 3}`,
            numbers.map((n) => ({
              type: n % 2 === 0 ? 'Even' : 'Odd',
              data: { n },
              metadata: n % 5 === 0 ? { by: `user-${n}` } : {},
              ...(n % 7 === 0 ? { id: ID(n) } : {}),
            })),
          );
        }
        for (const options of [{}, { types: ['Odd'] }, { from: 1999, limit: 50 }]) {
          const whole = (await log(options)).map(plain);
          const lean = await log({ ...options, lean: true });
          expect(lean.length).toBe(whole.length);
          // Data and type first, the rest later; then the rest first on another read.
          expect(lean.map((e) => [e.position, e.version, e.type, e.data, e.recordedAt])).toEqual(
            whole.map((e) => [e.position, e.version, e.type, e.data, e.recordedAt]),
          );
          expect(lean.map(plain)).toEqual(whole);
          const leanAgain = await log({ ...options, lean: true });
          expect(leanAgain.map((e) => e.metadata)).toEqual(whole.map((e) => e.metadata));
          expect(leanAgain.map((e) => eventJsonLine(e))).toEqual(
            whole.map((e) => eventJsonLine(e)),
          );
        }
      });
    });

    describe('import', () => {
      const line = (n: number, stream: string, data: JsonObject, recordedAt: string) =>
        JSON.stringify({
          position: n,
          stream,
          version: 0,
          type: `Type${n % 3}`,
          id: ID(n),
          data,
          metadata: n % 2 ? { n } : {},
          recordedAt,
        });
      // An export, as `eventlite export` prints it (positions and versions get re-assigned).
      const exportLines = (): string[] => {
        const versions = new Map<string, number>();
        return Array.from({ length: 30 }, (_, i) => {
          const n = i + 1;
          const stream = ['acc-1', 'acc-2', 'ünï'][n % 3]!;
          const version = (versions.get(stream) ?? 0) + 1;
          versions.set(stream, version);
          const data = { z: n, a: 'ü😀\u0000"\\', nested: { b: [n, null, true], a: -1.5e-7 } };
          const text = line(n, stream, data, `2025-0${(n % 9) + 1}-01T00:00:00.00${n % 10}Z`);
          return text.replace('"version":0', `"version":${version}`);
        });
      };
      const toImported = (text: string): ImportedEvent => {
        const { stream, type, id, data, metadata, recordedAt } = JSON.parse(text) as ImportedEvent;
        return { stream, type, id, data, metadata, recordedAt };
      };

      it('keeps ids, data, metadata and recordedAt: an export round-trips byte for byte', async () => {
        const lines = exportLines();
        const session = await store.beginImport();
        await session.add(lines.slice(0, 7).map(toImported));
        await session.add(lines.slice(7).map(toImported));
        expect(await session.commit()).toEqual({ imported: 30, skipped: 0, head: 30 });
        expect((await log()).map(eventJsonLine)).toEqual(lines);
        expect(await store.streamVersion('ünï')).toBe(10);
      });

      it('a second import of the same events adds nothing', async () => {
        const events = exportLines().map(toImported);
        const first = await store.beginImport();
        await first.add(events);
        await first.commit();
        const again = await store.beginImport();
        await again.add(events.slice(0, 10));
        await again.add([
          ...events.slice(10),
          { ...events[0]!, id: ID(99), stream: 'new', recordedAt: '2024-12-31T23:59:59.999Z' },
        ]);
        expect(await again.commit()).toEqual({ imported: 1, skipped: 30, head: 31 });
        const last = (await log({ from: 31 }))[0]!;
        expect([last.stream, last.version, last.id, last.recordedAt]).toEqual([
          'new',
          1,
          ID(99),
          '2024-12-31T23:59:59.999Z',
        ]);
      });

      it('continues streams and positions after appended events, with no gaps', async () => {
        await store.append('acc-1', newEvents(2));
        const session = await store.beginImport();
        await session.add(exportLines().slice(0, 6).map(toImported));
        expect(await session.commit()).toEqual({ imported: 6, skipped: 0, head: 8 });
        await store.append('acc-1', newEvents(1));
        const acc1 = await streamEvents('acc-1');
        expect(acc1.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
        expect((await log()).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect((await store.verify()).every((check) => check.ok)).toBe(true);
      });

      it('the same id twice in one import: the second is skipped', async () => {
        const [event] = exportLines().map(toImported);
        const session = await store.beginImport();
        await session.add([event!, event!]);
        await session.add([event!]);
        expect(await session.commit()).toEqual({ imported: 1, skipped: 2, head: 1 });
      });

      it('into an empty store, an id of an earlier batch again in another stream is refused', async () => {
        const events = exportLines().map(toImported);
        const session = await store.beginImport();
        await session.add(events.slice(0, 5));
        const error = await caught(session.add([{ ...events[2]!, stream: 'elsewhere' }]));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error.message).toBe(
          `duplicate event id ${ID(3)}: already stored in stream "${events[2]!.stream}"`,
        );
        await session.rollback();
        expect(await store.counts()).toEqual({ head: 0, streams: 0, events: 0 });
      });

      it('a rollback leaves nothing', async () => {
        await store.append('a', newEvents(1));
        const session = await store.beginImport();
        await session.add(exportLines().map(toImported));
        await session.rollback();
        expect(await store.head()).toBe(1);
        expect(await store.counts()).toEqual({ head: 1, streams: 1, events: 1 });
        await store.append('a', newEvents(1));
        expect((await log()).map((e) => e.position)).toEqual([1, 2]);
      });

      it('an id stored in another stream is refused; the rollback leaves nothing', async () => {
        await store.append('other', [{ type: 'T', data: {}, id: ID(5) }]);
        const events = exportLines().map(toImported);
        const session = await store.beginImport();
        await session.add(events.slice(0, 2));
        const error = await caught(session.add(events.slice(2, 8)));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error.message).toBe(`duplicate event id ${ID(5)}: already stored in stream "other"`);
        await session.rollback();
        expect(await store.counts()).toEqual({ head: 1, streams: 1, events: 1 });
      });
    });

    describe('listStreams, counts, verify, footprint', () => {
      const names = ['b', 'a', 'A', 'é', 'a-2', 'ab', 'a_', 'Z', '~', 'a%'];
      /** Every page of listStreams, gathered; and how many pages there were. */
      const listed = async (options?: { prefix?: string; limit?: number }) => {
        const streams: StreamSummary[] = [];
        let pages = 0;
        for await (const page of store.listStreams(options)) {
          expect(page.length).toBeGreaterThan(0);
          streams.push(...page);
          pages += 1;
        }
        return { streams, pages };
      };

      it('lists streams in byte order with versions and first and last recordedAt', async () => {
        for (const [index, name] of names.entries()) {
          await store.append(name, newEvents(index + 1), at(new Date(T0.getTime() + index)));
        }
        await store.append('b', newEvents(1), at(new Date('2027-01-01T00:00:00.000Z')));
        const { streams } = await listed();
        expect(streams.map((s) => s.stream)).toEqual([
          'A',
          'Z',
          'a',
          'a%',
          'a-2',
          'a_',
          'ab',
          'b',
          '~',
          'é',
        ]);
        expect(streams.find((s) => s.stream === 'b')).toEqual({
          stream: 'b',
          version: 2,
          firstRecordedAt: '2026-01-02T03:04:05.678Z',
          lastRecordedAt: '2027-01-01T00:00:00.000Z',
        });
        expect(streams.find((s) => s.stream === 'é')!.version).toBe(4);
      });

      it('prefix is literal, limit counts streams', async () => {
        for (const name of names) await store.append(name, newEvents(1));
        const prefixed = async (prefix: string, limit?: number) =>
          (await listed({ prefix, limit })).streams.map((s) => s.stream);
        expect(await prefixed('a')).toEqual(['a', 'a%', 'a-2', 'a_', 'ab']);
        expect(await prefixed('a_')).toEqual(['a_']);
        expect(await prefixed('a%')).toEqual(['a%']);
        expect(await prefixed('a', 2)).toEqual(['a', 'a%']);
        expect(await prefixed('', 3)).toEqual(['A', 'Z', 'a']);
        expect(await prefixed('x')).toEqual([]);
      });

      it('pages: thousands of streams come a page at a time, in order, prefix and limit across pages', async () => {
        // One import: 2,600 streams of one event each, named so that a prefix spans pages.
        const session = await store.beginImport();
        const name = (n: number) => `${n % 2 ? 'odd' : 'even'}-${String(n).padStart(5, '0')}`;
        await session.add(
          Array.from({ length: 2600 }, (_, i) => ({
            stream: name(i),
            type: 'T',
            id: ID(i + 1),
            data: {},
            metadata: {},
            recordedAt: '2026-01-01T00:00:00.000Z',
          })),
        );
        await session.commit();
        const all = await listed();
        const sorted = Array.from({ length: 2600 }, (_, i) => name(i)).sort();
        expect(all.streams.map((s) => s.stream)).toEqual(sorted);
        expect(all.pages).toBeGreaterThan(1);
        const odd = await listed({ prefix: 'odd-' });
        expect(odd.streams.map((s) => s.stream)).toEqual(
          sorted.filter((s) => s.startsWith('odd-')),
        );
        const limited = await listed({ prefix: 'even-', limit: 1201 });
        expect(limited.streams.map((s) => s.stream)).toEqual(
          sorted.filter((s) => s.startsWith('even-')).slice(0, 1201),
        );
        expect(limited.streams.at(-1)).toEqual({
          stream: 'even-02400',
          version: 1,
          firstRecordedAt: '2026-01-01T00:00:00.000Z',
          lastRecordedAt: '2026-01-01T00:00:00.000Z',
        });
      });

      it('counts head, streams and events', async () => {
        expect(await store.counts()).toEqual({ head: 0, streams: 0, events: 0 });
        await store.append('a', newEvents(3));
        await store.append('b', newEvents(2));
        await store.append('a', newEvents(1));
        expect(await store.counts()).toEqual({ head: 6, streams: 2, events: 6 });
      });

      it('verify: every check holds on a sound store', async () => {
        await store.append('a', newEvents(3));
        await store.append('b', newEvents(2));
        const checks = await store.verify();
        expect(checks.filter((check) => !check.ok)).toEqual([]);
        expect(checks.map((check) => check.name)).toEqual(
          expect.arrayContaining([
            'schema current',
            'positions gapless',
            'stream versions contiguous',
            'event payloads are JSON objects',
          ]),
        );
        expect(checks.find((check) => check.name === 'positions gapless')!.detail).toBe(
          'positions 1..5',
        );
      });

      it('footprint: the schema version and a size', async () => {
        await store.append('a', newEvents(10));
        const footprint = await store.footprint();
        expect(footprint.schemaVersion).toBeGreaterThanOrEqual(1);
        expect(footprint.bytes).toBeGreaterThan(0);
      });
    });

    describe('snapshots', () => {
      const snapshotOf = (
        stream: string,
        version: number,
        event: RecordedEvent,
        decider = 'd@1',
      ) => ({
        stream,
        decider,
        version,
        eventId: event.id,
        state: JSON.stringify({ at: version }),
      });

      it('reads the newest snapshot of the stream and decider, at or below atMost', async () => {
        const { events } = await store.append('s', newEvents(5));
        expect(await store.readSnapshot('s', 'd@1')).toBeUndefined();
        await store.writeSnapshot(snapshotOf('s', 2, events[1]!));
        await store.writeSnapshot(snapshotOf('s', 4, events[3]!));
        await store.writeSnapshot(snapshotOf('s', 5, events[4]!, 'd@2'));
        expect(await store.readSnapshot('s', 'd@1')).toEqual(snapshotOf('s', 4, events[3]!));
        expect(await store.readSnapshot('s', 'd@1', { atMost: 3 })).toEqual(
          snapshotOf('s', 2, events[1]!),
        );
        expect(await store.readSnapshot('s', 'd@1', { atMost: 1 })).toBeUndefined();
        expect(await store.readSnapshot('s', 'd@2')).toEqual(snapshotOf('s', 5, events[4]!, 'd@2'));
        expect(await store.readSnapshot('s', 'other')).toBeUndefined();
        expect(await store.readSnapshot('t', 'd@1')).toBeUndefined();
        const other = await opened.reopen();
        expect(await other.readSnapshot('s', 'd@1')).toEqual(snapshotOf('s', 4, events[3]!));
      });

      it('writing again at a version replaces the snapshot', async () => {
        const { events } = await store.append('s', newEvents(2));
        await store.writeSnapshot(snapshotOf('s', 2, events[1]!));
        await store.writeSnapshot({ ...snapshotOf('s', 2, events[1]!), state: '{"again":true}' });
        expect((await store.readSnapshot('s', 'd@1'))?.state).toBe('{"again":true}');
      });

      it('ignores a snapshot whose event is not the stream event at its version', async () => {
        const { events } = await store.append('s', newEvents(2));
        await store.writeSnapshot({ ...snapshotOf('s', 2, events[1]!), eventId: ID(99) });
        await store.writeSnapshot(snapshotOf('s', 3, events[1]!));
        expect(await store.readSnapshot('s', 'd@1')).toBeUndefined();
        await store.writeSnapshot(snapshotOf('s', 1, events[0]!));
        expect(await store.readSnapshot('s', 'd@1')).toEqual(snapshotOf('s', 1, events[0]!));
      });

      it('leaves the log, counts, verify and appends as they were', async () => {
        const { events } = await store.append('s', newEvents(3));
        const before = {
          log: await log(),
          counts: await store.counts(),
          verify: await store.verify(),
        };
        await store.writeSnapshot(snapshotOf('s', 3, events[2]!));
        expect({
          log: await log(),
          counts: await store.counts(),
          verify: await store.verify(),
        }).toEqual(before);
        const conflict = await caught(store.append('s', newEvents(1), { expectedVersion: 2 }));
        expect(conflict).toBeInstanceOf(ConcurrencyError);
        expect((await store.append('s', newEvents(1), { expectedVersion: 3 })).version).toBe(4);
      });
    });

    describe('another connection', () => {
      it('sees commits, and the change marker moves when the other connection commits', async () => {
        await store.append('a', newEvents(1));
        const other = await opened.reopen();
        const before = await store.changeMarker();
        expect(await store.changeMarker()).toEqual(before);
        await other.append('b', newEvents(2));
        expect(await store.changeMarker()).not.toEqual(before);
        expect(await store.head()).toBe(3);
        expect((await log()).map((e) => e.stream)).toEqual(['a', 'b', 'b']);
        const again = await store.changeMarker();
        await other.append('b', newEvents(1), { expectedVersion: 2 });
        expect(await store.changeMarker()).not.toEqual(again);
        const conflict = await caught(store.append('b', newEvents(1), { expectedVersion: 2 }));
        expect(conflict.message).toBe('version conflict on stream "b": expected 2, actual 3');
      });
    });
  });
}
