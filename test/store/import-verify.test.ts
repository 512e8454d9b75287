import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateEventIdError } from '../../src/core/errors.js';
import {
  appendToStream,
  beginImport,
  headPosition,
  openStore,
  readLog,
  verifyStore,
  type Db,
  type ImportedEvent,
} from '../../src/store/index.js';
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
let db: Db;

beforeEach(() => {
  folder = tempDir();
  path = join(folder.dir, 'store.db');
  db = openStore(path, { create: true });
});
afterEach(() => {
  db.close();
  folder.cleanup();
});

describe('beginImport', () => {
  it('appends in order, keeping recordedAt, and skips ids already stored in their stream', () => {
    const first = beginImport(db);
    [event(1), event(2, 'other'), event(3)].forEach((e) => first.add(e));
    expect(first.commit()).toEqual({ imported: 3, skipped: 0, head: 3 });
    const again = beginImport(db);
    [event(1), event(2, 'other'), event(3), event(4)].forEach((e) => again.add(e));
    expect(again.commit()).toEqual({ imported: 1, skipped: 3, head: 4 });
    const log = [...readLog(db)];
    expect(log.map((e) => [e.stream, e.version, e.recordedAt])).toEqual([
      ['s', 1, '2026-01-01T00:00:00.000Z'],
      ['other', 1, '2026-01-01T00:00:00.000Z'],
      ['s', 2, '2026-01-01T00:00:00.000Z'],
      ['s', 3, '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('continues a stream after the versions already in the store', () => {
    appendToStream(db, 's', [{ type: 'Live', data: {} }]);
    const session = beginImport(db);
    session.add(event(1));
    session.commit();
    expect([...readLog(db)].map((e) => e.version)).toEqual([1, 2]);
  });

  it('rolls everything back when one event fails', () => {
    appendToStream(db, 'elsewhere', [{ type: 'T', data: {}, id: ID(2) }]);
    const session = beginImport(db);
    session.add(event(1));
    expect(() => session.add(event(2))).toThrow(DuplicateEventIdError);
    session.rollback();
    expect(headPosition(db)).toBe(1);
    expect(db.inTransaction).toBe(false);
  });
});

describe('verifyStore', () => {
  it('passes on a healthy store', () => {
    appendToStream(db, 'a', [
      { type: 'T', data: {} },
      { type: 'T', data: {} },
    ]);
    appendToStream(db, 'b', [{ type: 'T', data: {} }]);
    expect(verifyStore(db).every((check) => check.ok)).toBe(true);
  });

  it('finds a gap, a broken stream and a missing trigger', () => {
    appendToStream(db, 'a', [
      { type: 'T', data: {} },
      { type: 'T', data: {} },
      { type: 'T', data: {} },
    ]);
    db.close();
    // Damage the file the way only someone bypassing eventlite could.
    const raw = new Database(path);
    raw.exec('DROP TRIGGER events_are_append_only_delete; DELETE FROM events WHERE position = 2;');
    raw.close();
    db = openStore(path);
    const failed = Object.fromEntries(
      verifyStore(db)
        .filter((check) => !check.ok)
        .map((check) => [check.name, check.detail]),
    );
    expect(Object.keys(failed).sort()).toEqual([
      'positions gapless',
      'schema current',
      'stream versions contiguous',
    ]);
    expect(failed['positions gapless']).toBe('2 events span positions 1..3 (sequence at 3)');
    expect(failed['stream versions contiguous']).toBe(
      'stream "a" has version 3 at position 3, expected 2',
    );
  });
});
