import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import { statementsFor, type Projection } from '../../src/core/projection.js';
import { nextBatch } from '../../src/projections/catch-up.js';
import { definitionHashes } from '../../src/projections/definition.js';
import { runProjections } from '../../src/projections/runner.js';
import {
  openSqliteEventStore,
  openSqliteReadStore,
  type SqliteEventStore,
  type SqliteReadStore,
} from '../../src/store/sqlite/index.js';
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
  let events: SqliteEventStore;
  let read: SqliteReadStore;
  let location: { readDbPath: string; storePath: string };
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    events = openSqliteEventStore(join(dir, 'store.db'), { create: true });
    for (let index = 0; index < 30; index += 1) {
      const type = index % 10 === 9 ? 'Ticked' : 'Ignored';
      await events.append(`s-${index % 3}`, [{ type, data: { index } }]);
    }
    location = { readDbPath: join(dir, 'read.db'), storePath: join(dir, 'store.db') };
    read = openSqliteReadStore(location, { mode: 'write' })!;
  });
  afterEach(async () => {
    await events.close();
    await read.close();
    cleanup();
  });

  /** The rows of one read-only statement against the read database. */
  async function rows(sql: string) {
    return (await read.query(sql)).rows;
  }

  async function value(sql: string) {
    const [row] = await rows(sql);
    return Object.values(row!)[0];
  }

  it('reads only handled event types and jumps the checkpoint over the rest', async () => {
    const batch = await nextBatch(events, counter, 0, 30, 2);
    expect(batch.events.map((event) => event.position)).toEqual([10, 20]);
    expect(batch.to).toBe(20);
    expect(await nextBatch(events, counter, 20, 30, 2)).toMatchObject({ from: 20, to: 30 });
    expect(await nextBatch(events, counter, 0, 15, 100)).toMatchObject({ to: 15 });
  });

  it('applies nothing when another runner moved the checkpoint first (compare-and-set)', async () => {
    await runProjections({ events, read }, [counter], { now, until: 10 });
    const hashes = definitionHashes(counter);
    const log: RecordedEvent[] = [];
    for await (const page of events.readLog({ from: 11, limit: 20 })) log.push(...page);
    const guard = { version: 1, definitionHash: hashes.definition, at: now() };
    const batch = (from: number, to: number, batchEvents: RecordedEvent[]) => ({
      from,
      to,
      events: batchEvents,
      statementsFor: (event: RecordedEvent) => statementsFor(counter, event),
    });
    // Another runner, on a connection of its own, moves the checkpoint on.
    const other = new Database(location.readDbPath);
    other.prepare(`UPDATE eventlite_projections SET checkpoint = 20`).run();
    other.close();
    expect(await read.applyBatch('counter', batch(10, 30, log), guard)).toBe(false);
    expect(await value('SELECT sum(n) FROM counts')).toBe(1);
    expect(await read.applyBatch('counter', batch(20, 30, log.slice(10)), guard)).toBe(true);
    expect((await read.projectionRow('counter'))?.checkpoint).toBe(30);
  });

  it('a rebuild swaps in tables with their indexes, triggers, generated columns and views', async () => {
    await runProjections({ events, read }, [counter], { now });
    const before = await rows('SELECT * FROM counts ORDER BY stream');
    const audit = await value('SELECT count(*) FROM audit');
    const notices: string[] = [];
    await runProjections({ events, read }, [counter], {
      now,
      rebuild: true,
      onNotice: (text) => notices.push(text),
    });
    expect(notices).toEqual(['rebuilding projection "counter" from event 1 (asked to)']);
    expect(await rows('SELECT * FROM counts ORDER BY stream')).toEqual(before);
    expect(await value('SELECT count(*) FROM audit')).toBe(audit);
    const objects = await rows(`SELECT name, type FROM eventlite_projection_objects ORDER BY name`);
    expect(objects).toEqual([
      { name: 'audit', type: 'table' },
      { name: 'busy', type: 'view' },
      { name: 'counts', type: 'table' },
      { name: 'counts_audit', type: 'trigger' },
      { name: 'counts_by_n', type: 'index' },
    ]);
    // The trigger came across and still fires on later events.
    await events.append('s-0', [{ type: 'Ticked', data: {} }]);
    await runProjections({ events, read }, [counter], { now });
    expect(await value('SELECT count(*) FROM audit')).toBe((audit as number) + 1);
  });

  it('refuses a read database written by a newer eventlite, and a foreign SQLite file', async () => {
    await read.close();
    const raw = new Database(location.readDbPath);
    raw.prepare(`UPDATE eventlite_read_meta SET value = 99 WHERE key = 'schema_version'`).run();
    raw.close();
    expect(() => openSqliteReadStore(location, { mode: 'write' })).toThrow(/newer eventlite/);
    const foreign = new Database(join(dir, 'foreign.db'));
    foreign.exec('CREATE TABLE mine (a)');
    foreign.close();
    expect(() =>
      openSqliteReadStore({ ...location, readDbPath: join(dir, 'foreign.db') }, { mode: 'write' }),
    ).toThrow(StoreError);
  });
});
