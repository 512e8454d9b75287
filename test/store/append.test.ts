import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyError, DuplicateEventIdError, InputError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { ReadLogOptions, ReadStreamOptions } from '../../src/core/ports.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';

const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

let folder: ReturnType<typeof tempDir>;
let store: SqliteEventStore;

beforeEach(() => {
  folder = tempDir();
  store = openSqliteEventStore(join(folder.dir, 'store.db'), { create: true });
});
afterEach(async () => {
  await store.close();
  folder.cleanup();
});

async function collect(pages: AsyncIterable<RecordedEvent[]>): Promise<RecordedEvent[][]> {
  const all: RecordedEvent[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

async function readStream(stream: string, options?: ReadStreamOptions) {
  return (await collect(store.readStream(stream, options))).flat();
}

async function readLog(options?: ReadLogOptions) {
  return (await collect(store.readLog(options))).flat();
}

describe('append', () => {
  it('gives global positions from 1 and stream versions from 1', async () => {
    const first = await store.append('account-a', [
      { type: 'Opened', data: { owner: 'Ada' } },
      { type: 'Deposited', data: { amount: 5 } },
    ]);
    const second = await store.append('account-b', [{ type: 'Opened', data: {} }]);
    expect(first.events.map((e) => [e.position, e.version])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(first.version).toBe(2);
    expect(second.events.map((e) => [e.position, e.stream, e.version])).toEqual([
      [3, 'account-b', 1],
    ]);
    expect(await store.head()).toBe(3);
    expect(await store.streamVersion('account-a')).toBe(2);
    expect(await store.streamVersion('nobody')).toBe(0);
  });

  it('stores metadata, a UUIDv7 id and an ISO time from the given clock', async () => {
    const now = () => new Date('2026-11-26T10:00:00.000Z');
    const [event] = (
      await store.append('s', [{ type: 'T', data: { a: 1 }, metadata: { by: 'me' } }], { now })
    ).events;
    expect(event!.recordedAt).toBe('2026-11-26T10:00:00.000Z');
    expect(event).toHaveProperty('metadataJson', '{"by":"me"}');
    expect(event!.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('enforces each kind of expected version', async () => {
    const one = [{ type: 'T', data: {} }];
    await expect(store.append('s', one, { expectedVersion: 'exists' })).rejects.toThrow(
      ConcurrencyError,
    );
    await store.append('s', one, { expectedVersion: 'no-stream' });
    await expect(store.append('s', one, { expectedVersion: 'no-stream' })).rejects.toThrow(
      'version conflict on stream "s": expected no stream (version 0), actual 1',
    );
    await expect(store.append('s', one, { expectedVersion: 0 })).rejects.toThrow(ConcurrencyError);
    await store.append('s', one, { expectedVersion: 1 });
    await store.append('s', one, { expectedVersion: 'exists' });
    await expect(store.append('s', one, { expectedVersion: 2 })).rejects.toThrow(
      'expected 2, actual 3',
    );
    expect(await store.streamVersion('s')).toBe(3);
  });

  it('treats a re-sent batch of stored ids as a successful no-op, whatever the expected version', async () => {
    const batch = [
      { type: 'T', data: { n: 1 }, id: ID(1) },
      { type: 'T', data: { n: 2 }, id: ID(2) },
    ];
    await store.append('s', batch, { expectedVersion: 'no-stream' });
    const retry = await store.append('s', batch, { expectedVersion: 'no-stream' });
    expect(retry.alreadyStored).toBe(true);
    expect(retry.events).toEqual([]);
    expect(retry.version).toBe(2);
    expect(await store.head()).toBe(2);
  });

  it('refuses an id stored in another stream, and a half-stored batch', async () => {
    await store.append('a', [{ type: 'T', data: {}, id: ID(1) }]);
    await expect(store.append('b', [{ type: 'T', data: {}, id: ID(1) }])).rejects.toThrow(
      `duplicate event id ${ID(1)}: already stored in stream "a"`,
    );
    await expect(
      store.append('a', [
        { type: 'T', data: {}, id: ID(1) },
        { type: 'T', data: {}, id: ID(2) },
      ]),
    ).rejects.toThrow(DuplicateEventIdError);
    expect(await store.head()).toBe(1);
  });

  it('writes all of a batch or none of it', async () => {
    await store.append('s', [{ type: 'T', data: {} }]);
    await expect(
      store.append('s', [
        { type: 'T', data: {} },
        { type: '', data: {} },
      ]),
    ).rejects.toThrow(InputError);
    await expect(
      store.append('s', [
        { type: 'T', data: {}, id: ID(9) },
        { type: 'T', data: {}, id: ID(9) },
      ]),
    ).rejects.toThrow(`event id ${ID(9)} appears twice in the batch`);
    expect(await store.head()).toBe(1);
    expect((await readLog()).map((e) => e.position)).toEqual([1]);
  });
});

describe('the events table', () => {
  it('refuses UPDATE and DELETE, even from plain SQL', async () => {
    await store.append('s', [{ type: 'T', data: {} }]);
    expect(() => store.db.exec(`UPDATE events SET type = 'X'`)).toThrow(
      'events are append-only: UPDATE is refused',
    );
    expect(() => store.db.exec('DELETE FROM events')).toThrow(
      'events are append-only: DELETE is refused',
    );
  });

  it('still refuses them after audited lifecycle commands ran on the same connection', async () => {
    await store.append('s', [{ type: 'T', data: { a: 1 } }]);
    await store.append('t', [{ type: 'T', data: {} }]);
    await store.redactEvents('s', { fields: ['a'] });
    await store.deleteStream('t', { hard: true });
    // The permit lived only inside their transactions.
    expect(store.db.prepare('SELECT count(*) FROM eventlite_lifecycle_permit').pluck().get()).toBe(
      0,
    );
    expect(() => store.db.exec(`UPDATE events SET type = 'X'`)).toThrow(
      'events are append-only: UPDATE is refused',
    );
    expect(() => store.db.exec('DELETE FROM events')).toThrow(
      'events are append-only: DELETE is refused',
    );
  });

  it('keeps UNIQUE(stream, version) as the last guard', async () => {
    await store.append('s', [{ type: 'T', data: {} }]);
    expect(() =>
      store.db
        .prepare(
          `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
           VALUES ('x', 's', 1, 'T', '{}', '{}', 'now')`,
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: events.stream, events.version/);
  });

  it('does not reuse a position after a rolled-back batch at the end', async () => {
    await store.append('s', [{ type: 'T', data: {} }]);
    await expect(
      store.append('s', [{ type: 'T', data: {} }], { expectedVersion: 7 }),
    ).rejects.toThrow();
    const raw = new Database(join(folder.dir, 'store.db'));
    const columns = raw
      .prepare(`SELECT sql FROM sqlite_schema WHERE name = 'events'`)
      .pluck()
      .get();
    raw.close();
    expect(columns).toMatch(/AUTOINCREMENT/);
    expect((await store.append('s', [{ type: 'T', data: {} }])).events[0]!.position).toBe(2);
  });
});

describe('reads', () => {
  it('pages through long streams forwards and backwards', async () => {
    const events = Array.from({ length: 4500 }, (_, n) => ({ type: 'T', data: { n } }));
    await store.append('long', events);
    await store.append('other', [{ type: 'U', data: {} }]);
    const pages = await collect(store.readStream('long'));
    expect(pages.map((page) => page.length)).toEqual([2000, 2000, 500]);
    const forward = pages.flat().map((e) => e.version);
    expect(forward).toEqual(Array.from({ length: 4500 }, (_, n) => n + 1));
    const backward = await readStream('long', { backwards: true, limit: 3 });
    expect(backward.map((e) => e.version)).toEqual([4500, 4499, 4498]);
    const window = await readStream('long', { from: 2000, limit: 2002 });
    expect(window[0]!.version).toBe(2000);
    expect(window.at(-1)!.version).toBe(4001);
    expect((await readStream('long', { from: 3, backwards: true })).map((e) => e.version)).toEqual([
      3, 2, 1,
    ]);
  });

  it('reads the log from a position, with type filters', async () => {
    await store.append('a', [
      { type: 'Opened', data: {} },
      { type: 'Deposited', data: {} },
    ]);
    await store.append('b', [{ type: 'Opened', data: {} }]);
    expect((await readLog({ from: 2 })).map((e) => e.position)).toEqual([2, 3]);
    expect((await readLog({ types: ['Opened'] })).map((e) => e.stream)).toEqual(['a', 'b']);
    expect(await readLog({ types: ['Opened', 'Deposited'], limit: 2 })).toHaveLength(2);
    expect(await readLog({ from: 99 })).toEqual([]);
  });
});
