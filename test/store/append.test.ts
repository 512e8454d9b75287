import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConcurrencyError, DuplicateEventIdError, InputError } from '../../src/core/errors.js';
import {
  appendToStream,
  headPosition,
  openStore,
  readLog,
  readStream,
  streamVersion,
  type Db,
} from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';

const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

let folder: ReturnType<typeof tempDir>;
let db: Db;

beforeEach(() => {
  folder = tempDir();
  db = openStore(join(folder.dir, 'store.db'), { create: true });
});
afterEach(() => {
  db.close();
  folder.cleanup();
});

describe('appendToStream', () => {
  it('gives global positions from 1 and stream versions from 1', () => {
    const first = appendToStream(db, 'account-a', [
      { type: 'Opened', data: { owner: 'Ada' } },
      { type: 'Deposited', data: { amount: 5 } },
    ]);
    const second = appendToStream(db, 'account-b', [{ type: 'Opened', data: {} }]);
    expect(first.events.map((e) => [e.position, e.version])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(first.version).toBe(2);
    expect(second.events.map((e) => [e.position, e.stream, e.version])).toEqual([
      [3, 'account-b', 1],
    ]);
    expect(headPosition(db)).toBe(3);
    expect(streamVersion(db, 'account-a')).toBe(2);
    expect(streamVersion(db, 'nobody')).toBe(0);
  });

  it('stores metadata, a UUIDv7 id and an ISO time from the given clock', () => {
    const now = () => new Date('2026-11-26T10:00:00.000Z');
    const [event] = appendToStream(
      db,
      's',
      [{ type: 'T', data: { a: 1 }, metadata: { by: 'me' } }],
      { now },
    ).events;
    expect(event!.recordedAt).toBe('2026-11-26T10:00:00.000Z');
    expect(event!.metadataJson).toBe('{"by":"me"}');
    expect(event!.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('enforces each kind of expected version', () => {
    expect(() =>
      appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 'exists' }),
    ).toThrow(ConcurrencyError);
    appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 'no-stream' });
    expect(() =>
      appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 'no-stream' }),
    ).toThrow('version conflict on stream "s": expected no stream (version 0), actual 1');
    expect(() =>
      appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 0 }),
    ).toThrow(ConcurrencyError);
    appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 1 });
    appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 'exists' });
    expect(() =>
      appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 2 }),
    ).toThrow('expected 2, actual 3');
    expect(streamVersion(db, 's')).toBe(3);
  });

  it('treats a re-sent batch of stored ids as a successful no-op, whatever the expected version', () => {
    const batch = [
      { type: 'T', data: { n: 1 }, id: ID(1) },
      { type: 'T', data: { n: 2 }, id: ID(2) },
    ];
    appendToStream(db, 's', batch, { expectedVersion: 'no-stream' });
    const retry = appendToStream(db, 's', batch, { expectedVersion: 'no-stream' });
    expect(retry.alreadyStored).toBe(true);
    expect(retry.events).toEqual([]);
    expect(retry.version).toBe(2);
    expect(headPosition(db)).toBe(2);
  });

  it('refuses an id stored in another stream, and a half-stored batch', () => {
    appendToStream(db, 'a', [{ type: 'T', data: {}, id: ID(1) }]);
    expect(() => appendToStream(db, 'b', [{ type: 'T', data: {}, id: ID(1) }])).toThrow(
      `duplicate event id ${ID(1)}: already stored in stream "a"`,
    );
    expect(() =>
      appendToStream(db, 'a', [
        { type: 'T', data: {}, id: ID(1) },
        { type: 'T', data: {}, id: ID(2) },
      ]),
    ).toThrow(DuplicateEventIdError);
    expect(headPosition(db)).toBe(1);
  });

  it('writes all of a batch or none of it', () => {
    appendToStream(db, 's', [{ type: 'T', data: {} }]);
    expect(() =>
      appendToStream(db, 's', [
        { type: 'T', data: {} },
        { type: '', data: {} },
      ]),
    ).toThrow(InputError);
    expect(() =>
      appendToStream(db, 's', [
        { type: 'T', data: {}, id: ID(9) },
        { type: 'T', data: {}, id: ID(9) },
      ]),
    ).toThrow(`event id ${ID(9)} appears twice in the batch`);
    expect(headPosition(db)).toBe(1);
    expect([...readLog(db)].map((e) => e.position)).toEqual([1]);
  });
});

describe('the events table', () => {
  it('refuses UPDATE and DELETE, even from plain SQL', () => {
    appendToStream(db, 's', [{ type: 'T', data: {} }]);
    expect(() => db.exec(`UPDATE events SET type = 'X'`)).toThrow(
      'events are append-only: UPDATE is refused',
    );
    expect(() => db.exec('DELETE FROM events')).toThrow(
      'events are append-only: DELETE is refused',
    );
  });

  it('keeps UNIQUE(stream, version) as the last guard', () => {
    appendToStream(db, 's', [{ type: 'T', data: {} }]);
    expect(() =>
      db
        .prepare(
          `INSERT INTO events (id, stream, version, type, data, metadata, recorded_at)
           VALUES ('x', 's', 1, 'T', '{}', '{}', 'now')`,
        )
        .run(),
    ).toThrow(/UNIQUE constraint failed: events.stream, events.version/);
  });

  it('does not reuse a position after a rolled-back batch at the end', () => {
    appendToStream(db, 's', [{ type: 'T', data: {} }]);
    expect(() =>
      appendToStream(db, 's', [{ type: 'T', data: {} }], { expectedVersion: 7 }),
    ).toThrow();
    const raw = new Database(join(folder.dir, 'store.db'));
    const columns = raw
      .prepare(`SELECT sql FROM sqlite_schema WHERE name = 'events'`)
      .pluck()
      .get();
    raw.close();
    expect(columns).toMatch(/AUTOINCREMENT/);
    expect(appendToStream(db, 's', [{ type: 'T', data: {} }]).events[0]!.position).toBe(2);
  });
});

describe('reads', () => {
  it('pages through long streams forwards and backwards', () => {
    const events = Array.from({ length: 4500 }, (_, n) => ({ type: 'T', data: { n } }));
    appendToStream(db, 'long', events);
    appendToStream(db, 'other', [{ type: 'U', data: {} }]);
    const forward = [...readStream(db, 'long')].map((e) => e.version);
    expect(forward).toEqual(Array.from({ length: 4500 }, (_, n) => n + 1));
    const backward = [...readStream(db, 'long', { backwards: true, limit: 3 })];
    expect(backward.map((e) => e.version)).toEqual([4500, 4499, 4498]);
    const window = [...readStream(db, 'long', { from: 2000, limit: 2002 })];
    expect(window[0]!.version).toBe(2000);
    expect(window.at(-1)!.version).toBe(4001);
    expect([...readStream(db, 'long', { from: 3, backwards: true })].map((e) => e.version)).toEqual(
      [3, 2, 1],
    );
  });

  it('reads the log from a position, with type filters', () => {
    appendToStream(db, 'a', [
      { type: 'Opened', data: {} },
      { type: 'Deposited', data: {} },
    ]);
    appendToStream(db, 'b', [{ type: 'Opened', data: {} }]);
    expect([...readLog(db, { from: 2 })].map((e) => e.position)).toEqual([2, 3]);
    expect([...readLog(db, { types: ['Opened'] })].map((e) => e.stream)).toEqual(['a', 'b']);
    expect([...readLog(db, { types: ['Opened', 'Deposited'], limit: 2 })]).toHaveLength(2);
    expect([...readLog(db, { from: 99 })]).toEqual([]);
  });
});
