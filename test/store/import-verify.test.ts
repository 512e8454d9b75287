import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { ImportedEvent } from '../../src/core/ports.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';

const ID = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const event = (n: number, stream = 's'): ImportedEvent => ({
  stream,
  type: 'T',
  id: ID(n),
  data: { n },
  metadata: {},
  recordedAt: '2026-01-01T00:00:00.000Z',
});

let folder: ReturnType<typeof tempDir>;
let path: string;
let store: SqliteEventStore;

beforeEach(() => {
  folder = tempDir();
  path = join(folder.dir, 'store.db');
  store = openSqliteEventStore(path, { create: true });
});
afterEach(async () => {
  await store.close();
  folder.cleanup();
});

async function readLog(): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of store.readLog()) events.push(...page);
  return events;
}

describe('beginImport', () => {
  it('appends in order, keeping recordedAt, and skips ids already stored in their stream', async () => {
    const first = await store.beginImport();
    await first.add([event(1), event(2, 'other')]);
    await first.add([event(3)]);
    expect(await first.commit()).toEqual({ imported: 3, skipped: 0, head: 3 });
    const again = await store.beginImport();
    await again.add([event(1), event(2, 'other'), event(3), event(4)]);
    expect(await again.commit()).toEqual({ imported: 1, skipped: 3, head: 4 });
    const log = await readLog();
    expect(log.map((e) => [e.stream, e.version, e.recordedAt])).toEqual([
      ['s', 1, '2026-01-01T00:00:00.000Z'],
      ['other', 1, '2026-01-01T00:00:00.000Z'],
      ['s', 2, '2026-01-01T00:00:00.000Z'],
      ['s', 3, '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('continues a stream after the versions already in the store', async () => {
    await store.append('s', [{ type: 'Live', data: {} }]);
    const session = await store.beginImport();
    await session.add([event(1)]);
    await session.commit();
    expect((await readLog()).map((e) => e.version)).toEqual([1, 2]);
  });

  it('rolls everything back when one event fails', async () => {
    await store.append('elsewhere', [{ type: 'T', data: {}, id: ID(2) }]);
    const session = await store.beginImport();
    await session.add([event(1)]);
    await expect(session.add([event(2)])).rejects.toThrow(DuplicateEventIdError);
    await session.rollback();
    expect(await store.head()).toBe(1);
    expect(store.db.inTransaction).toBe(false);
  });
});

describe('verify', () => {
  it('passes on a healthy store', async () => {
    await store.append('a', [
      { type: 'T', data: {} },
      { type: 'T', data: {} },
    ]);
    await store.append('b', [{ type: 'T', data: {} }]);
    expect((await store.verify()).every((check) => check.ok)).toBe(true);
  });

  it('finds a gap, a broken stream and a missing trigger', async () => {
    await store.append('a', [
      { type: 'T', data: {} },
      { type: 'T', data: {} },
      { type: 'T', data: {} },
    ]);
    await store.close();
    // Damage the file the way only someone bypassing eventlite could.
    const raw = new Database(path);
    raw.exec('DROP TRIGGER events_are_append_only_delete; DELETE FROM events WHERE position = 2;');
    raw.close();
    store = openSqliteEventStore(path);
    const failed = Object.fromEntries(
      (await store.verify())
        .filter((check) => !check.ok)
        .map((check) => [check.name, check.detail]),
    );
    expect(Object.keys(failed).sort()).toEqual([
      'positions gapless',
      'schema current',
      'stream versions contiguous',
    ]);
    expect(failed['positions gapless']).toBe(
      '2 events span positions 1..3: no audit event accounts for the missing position 2',
    );
    expect(failed['stream versions contiguous']).toBe(
      'stream "a" has version 3 at position 3, expected 2',
    );
  });
});
