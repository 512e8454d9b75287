import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { Projection } from '../../src/core/projection.js';
import { applyBatch } from '../../src/projections/apply-batch.js';
import { nextBatch } from '../../src/projections/catch-up.js';
import { definitionHashes } from '../../src/projections/definition.js';
import { openReadDatabase } from '../../src/projections/read-schema.js';
import { readProjectionRow } from '../../src/projections/registry.js';
import { runProjections } from '../../src/projections/runner.js';
import { appendToStream, openStore, readLog, type Db } from '../../src/store/index.js';
import { tempDir } from '../helpers/cli.js';

const counter: Projection = {
  name: 'counter',
  version: 1,
  setup: [
    `CREATE TABLE counts (
       stream TEXT PRIMARY KEY, n INTEGER NOT NULL, doubled INTEGER GENERATED ALWAYS AS (n * 2) STORED)`,
    'CREATE INDEX counts_by_n ON counts (n)',
    'CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, stream TEXT)',
    `CREATE TRIGGER counts_audit AFTER UPDATE ON counts BEGIN
       INSERT INTO audit (stream) VALUES (new.stream); END`,
  ],
  views: ['CREATE VIEW busy AS SELECT stream FROM counts WHERE n > 2'],
  on: {
    Ticked: (e) => ({
      sql: `INSERT INTO counts (stream, n) VALUES (?, 1)
            ON CONFLICT (stream) DO UPDATE SET n = n + 1`,
      params: [e.stream],
    }),
  },
};

const now = () => '2026-01-01T00:00:00.000Z';

describe('the runner, in process', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Db;
  let read: Db;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore(join(dir, 'store.db'), { create: true });
    for (let index = 0; index < 30; index += 1) {
      const type = index % 10 === 9 ? 'Ticked' : 'Ignored';
      appendToStream(store, `s-${index % 3}`, [{ type, data: { index } }]);
    }
    read = openReadDatabase(
      { readDbPath: join(dir, 'read.db'), storePath: join(dir, 'store.db') },
      { create: true },
    );
  });
  afterEach(() => {
    store.close();
    read.close();
    cleanup();
  });

  it('reads only handled event types and jumps the checkpoint over the rest', () => {
    const batch = nextBatch(store, counter, 0, 30, 2);
    expect(batch.events.map((event) => event.position)).toEqual([10, 20]);
    expect(batch.to).toBe(20);
    expect(nextBatch(store, counter, 20, 30, 2)).toMatchObject({ from: 20, to: 30 });
    expect(nextBatch(store, counter, 0, 15, 100)).toMatchObject({ to: 15 });
  });

  it('applies nothing when another runner moved the checkpoint first (compare-and-set)', async () => {
    await runProjections(store, { db: read, path: 'read.db' }, [counter], { now, until: 10 });
    const hashes = definitionHashes(counter);
    const events = [...readLog(store, { from: 11, limit: 20 })];
    const guard = { version: 1, definitionHash: hashes.definition, at: now() };
    read.prepare(`UPDATE eventlite_projections SET checkpoint = 20`).run();
    expect(applyBatch(read, counter, { events, from: 10, to: 30 }, guard)).toBe(false);
    expect(read.prepare('SELECT sum(n) FROM counts').pluck().get()).toBe(1);
    expect(applyBatch(read, counter, { events: events.slice(10), from: 20, to: 30 }, guard)).toBe(
      true,
    );
    expect(readProjectionRow(read, 'counter')?.checkpoint).toBe(30);
  });

  it('a rebuild swaps in tables with their indexes, triggers, generated columns and views', async () => {
    const target = { db: read, path: join(dir, 'read.db') };
    await runProjections(store, target, [counter], { now });
    const before = read.prepare('SELECT * FROM counts ORDER BY stream').all();
    const audit = read.prepare('SELECT count(*) FROM audit').pluck().get();
    const notices: string[] = [];
    await runProjections(store, target, [counter], {
      now,
      rebuild: true,
      onNotice: (text) => notices.push(text),
    });
    expect(notices).toEqual(['rebuilding projection "counter" from event 1 (asked to)']);
    expect(read.prepare('SELECT * FROM counts ORDER BY stream').all()).toEqual(before);
    expect(read.prepare('SELECT count(*) FROM audit').pluck().get()).toBe(audit);
    const objects = read
      .prepare(`SELECT name, type FROM eventlite_projection_objects ORDER BY name`)
      .all();
    expect(objects).toEqual([
      { name: 'audit', type: 'table' },
      { name: 'busy', type: 'view' },
      { name: 'counts', type: 'table' },
      { name: 'counts_audit', type: 'trigger' },
      { name: 'counts_by_n', type: 'index' },
    ]);
    // The trigger came across and still fires on later events.
    appendToStream(store, 's-0', [{ type: 'Ticked', data: {} }]);
    await runProjections(store, target, [counter], { now });
    expect(read.prepare('SELECT count(*) FROM audit').pluck().get()).toBe((audit as number) + 1);
  });

  it('refuses a read database written by a newer eventlite, and a foreign SQLite file', () => {
    read.prepare(`UPDATE eventlite_read_meta SET value = 99 WHERE key = 'schema_version'`).run();
    const location = { readDbPath: join(dir, 'read.db'), storePath: join(dir, 'store.db') };
    expect(() => openReadDatabase(location, { create: false })).toThrow(/newer eventlite/);
    const foreign = new Database(join(dir, 'foreign.db'));
    foreign.exec('CREATE TABLE mine (a)');
    foreign.close();
    expect(() =>
      openReadDatabase({ ...location, readDbPath: join(dir, 'foreign.db') }, { create: false }),
    ).toThrow(StoreError);
  });
});
