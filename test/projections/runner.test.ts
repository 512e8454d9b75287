import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { EventStore, ReadStore } from '../../src/core/ports.js';
import { statementsFor, type Projection } from '../../src/core/projection.js';
import { LeanEvent, StoredEvent } from '../../src/core/recorded-event.js';
import { nextBatch } from '../../src/projections/catch-up.js';
import { definitionHashes } from '../../src/projections/definition.js';
import { runProjections } from '../../src/projections/runner.js';
import { openPostgresEventStore, openPostgresReadStore } from '../../src/store/postgres/index.js';
import { openSqliteEventStore, openSqliteReadStore } from '../../src/store/sqlite/index.js';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { resetPgDatabase, withPgClient } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// The runner in process, against both read stores: a SQLite read database beside a SQLite
// store, and the read schema of a PostgreSQL store's database.

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

/** The same projection in PostgreSQL's dialect: a sequence, and a trigger with its function. */
const pgCounter: Projection = {
  ...counter,
  setup: [
    counter.setup[0]!,
    counter.setup[1]!,
    'CREATE TABLE audit (id SERIAL PRIMARY KEY, stream TEXT)',
    `CREATE FUNCTION counts_audit() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO audit (stream) VALUES (new.stream); RETURN new; END $$`,
    'CREATE TRIGGER counts_audit AFTER UPDATE ON counts FOR EACH ROW EXECUTE FUNCTION counts_audit()',
  ],
  on: {
    Ticked: (e) => ({
      sql: `INSERT INTO counts (stream, n) VALUES (?, 1)
            ON CONFLICT (stream) DO UPDATE SET n = counts.n + 1`,
      params: [e.stream],
    }),
  },
};

const now = () => '2026-01-01T00:00:00.000Z';

/** One test's stores, and what it does to them behind the runner's back. */
interface Fixture {
  events: EventStore;
  read: ReadStore;
  projection: Projection;
  /** The objects the projection's setup and views made, as the read store records them. */
  objects: { name: string; type: string }[];
  /** Another runner, on a connection of its own, moves the checkpoint on. */
  moveCheckpoint(to: number): Promise<void>;
  /** Closes `read` and marks the read models as written by a newer eventlite (schema 99). */
  markNewer(): Promise<void>;
  /** Opens the read models again for writing. */
  reopen(): Promise<ReadStore | undefined>;
  cleanup(): Promise<void>;
}

async function sqliteFixture(): Promise<Fixture & { dir: string }> {
  const { dir, cleanup } = tempDir();
  const events = openSqliteEventStore(join(dir, 'store.db'), { create: true });
  const location = { readDbPath: join(dir, 'read.db'), storePath: join(dir, 'store.db') };
  const fixture: Fixture & { dir: string } = {
    dir,
    events,
    read: undefined as unknown as ReadStore,
    projection: counter,
    objects: [
      { name: 'audit', type: 'table' },
      { name: 'busy', type: 'view' },
      { name: 'counts', type: 'table' },
      { name: 'counts_audit', type: 'trigger' },
      { name: 'counts_by_n', type: 'index' },
    ],
    async moveCheckpoint(to) {
      const other = new Database(location.readDbPath);
      other.prepare(`UPDATE eventlite_projections SET checkpoint = ?`).run(to);
      other.close();
    },
    async markNewer() {
      await closeRead(fixture);
      const raw = new Database(location.readDbPath);
      raw.prepare(`UPDATE eventlite_read_meta SET value = 99 WHERE key = 'schema_version'`).run();
      raw.close();
    },
    reopen: async () => openSqliteReadStore(location, { mode: 'write' }),
    async cleanup() {
      await events.close();
      await closeRead(fixture);
      cleanup();
    },
  };
  await fill(events);
  fixture.read = openSqliteReadStore(location, { mode: 'write' })!;
  return fixture;
}

/** A PostgreSQL database for the file's tests, emptied before each (a new one costs a second). */
type SharedDatabase = Awaited<ReturnType<typeof freshPgDatabase>>;

async function pgFixture(database: SharedDatabase): Promise<Fixture> {
  await withPgClient(database.url, resetPgDatabase);
  const events = await openPostgresEventStore(database.url, { create: true });
  await fill(events);
  const read = (await openPostgresReadStore(database.url, { mode: 'write' }))!;
  const fixture: Fixture = {
    events,
    read,
    projection: pgCounter,
    // PostgreSQL's setup also makes the sequence behind SERIAL, the indexes behind the
    // primary keys, and the trigger's function; a trigger is named with its table.
    objects: [
      { name: 'audit', type: 'table' },
      { name: 'audit_id_seq', type: 'sequence' },
      { name: 'audit_pkey', type: 'index' },
      { name: 'busy', type: 'view' },
      { name: 'counts', type: 'table' },
      { name: 'counts_audit on counts', type: 'trigger' },
      { name: 'counts_audit()', type: 'function' },
      { name: 'counts_by_n', type: 'index' },
      { name: 'counts_pkey', type: 'index' },
    ],
    moveCheckpoint: (to) =>
      withPgClient(database.url, (client) =>
        client.query('UPDATE eventlite_read.eventlite_projections SET checkpoint = $1', [to]),
      ).then(() => {}),
    async markNewer() {
      await closeRead(fixture);
      await withPgClient(database.url, (client) =>
        client.query(
          `UPDATE eventlite_read.eventlite_read_meta SET value = '99' WHERE key = 'schema_version'`,
        ),
      );
    },
    reopen: () => openPostgresReadStore(database.url, { mode: 'write' }),
    async cleanup() {
      await events.close();
      await closeRead(fixture);
    },
  };
  return fixture;
}

const closed = new WeakSet<ReadStore>();

/** Closes the fixture's read store once (a PostgreSQL pool may be ended only once). */
async function closeRead(fixture: Fixture): Promise<void> {
  if (closed.has(fixture.read)) return;
  closed.add(fixture.read);
  await fixture.read.close();
}

/** 30 events in three streams; every tenth is Ticked. */
async function fill(events: EventStore): Promise<void> {
  for (let index = 0; index < 30; index += 1) {
    const type = index % 10 === 9 ? 'Ticked' : 'Ignored';
    await events.append(`s-${index % 3}`, [{ type, data: { index } }]);
  }
}

for (const backend of backends()) {
  describe(`the runner, in process (${backend.name})`, () => {
    let database: SharedDatabase | undefined;
    let fixture: Fixture;
    let events: EventStore;
    let read: ReadStore;
    let projection: Projection;
    beforeAll(async () => {
      if (backend.name === 'postgres') database = await freshPgDatabase();
    });
    afterAll(() => database?.drop());
    beforeEach(async () => {
      fixture = database === undefined ? await sqliteFixture() : await pgFixture(database);
      ({ events, read, projection } = fixture);
    });
    afterEach(() => fixture.cleanup());

    /** The rows of one read-only statement against the read models. */
    async function rows(sql: string) {
      return (await fixture.read.query(sql)).rows;
    }

    async function value(sql: string) {
      const [row] = await rows(sql);
      return Object.values(row!)[0];
    }

    it('reads only handled event types and jumps the checkpoint over the rest', async () => {
      const batch = await nextBatch(events, projection, 0, 30, 2);
      expect(batch.events.map((event) => event.position)).toEqual([10, 20]);
      expect(batch.to).toBe(20);
      expect(await nextBatch(events, projection, 20, 30, 2)).toMatchObject({ from: 20, to: 30 });
      expect(await nextBatch(events, projection, 0, 15, 100)).toMatchObject({ to: 15 });
    });

    it('handlers see whole events, though a page is read without stream, id and metadata until one asks', async () => {
      const table = (name: string, column: string) => `CREATE TABLE ${name} (${column})`;
      const byData: Projection = {
        name: 'by_data',
        version: 1,
        setup: [table('by_data', 'n INTEGER')],
        on: {
          Ticked: (e) => ({ sql: 'INSERT INTO by_data (n) VALUES (?)', params: [e.data.index] }),
        },
      };
      const seen: string[] = [];
      const byStream: Projection = {
        name: 'by_stream',
        version: 1,
        setup: [table('by_stream', 'stream TEXT')],
        on: {
          Ticked: (e) => {
            seen.push(`${e.position} ${e.stream} ${e.id.length} ${JSON.stringify(e.metadata)}`);
            return { sql: 'INSERT INTO by_stream (stream) VALUES (?)', params: [e.stream] };
          },
        },
      };
      await runProjections({ events, read }, [byData, byStream], { now, batchSize: 1 });
      expect(seen).toEqual(['10 s-0 36 {}', '20 s-1 36 {}', '30 s-2 36 {}']);
      expect(await rows('SELECT stream FROM by_stream ORDER BY stream')).toEqual([
        { stream: 's-0' },
        { stream: 's-1' },
        { stream: 's-2' },
      ]);
      expect(await rows('SELECT n FROM by_data ORDER BY n')).toEqual([
        { n: 9 },
        { n: 19 },
        { n: 29 },
      ]);
      // On SQLite the page left the three columns out for the handler that never read them;
      // the one that did now reads whole events. PostgreSQL reads whole events for both.
      const lean = backend.name === 'sqlite';
      expect((await nextBatch(events, byData, 0, 30, 1)).events[0]).toBeInstanceOf(
        lean ? LeanEvent : StoredEvent,
      );
      expect((await nextBatch(events, byStream, 0, 30, 1)).events[0]).toBeInstanceOf(StoredEvent);
    });

    it('applies nothing when another runner moved the checkpoint first (compare-and-set)', async () => {
      await runProjections({ events, read }, [projection], { now, until: 10 });
      const hashes = definitionHashes(projection);
      const log: RecordedEvent[] = [];
      for await (const page of events.readLog({ from: 11, limit: 20 })) log.push(...page);
      const guard = { version: 1, definitionHash: hashes.definition, at: now() };
      const batch = (from: number, to: number, batchEvents: RecordedEvent[]) => ({
        from,
        to,
        events: batchEvents,
        statementsFor: (event: RecordedEvent) => statementsFor(projection, event),
      });
      // Another runner, on a connection of its own, moves the checkpoint on.
      await fixture.moveCheckpoint(20);
      expect(await read.applyBatch('counter', batch(10, 30, log), guard)).toBe(false);
      expect(await value('SELECT sum(n) FROM counts')).toBe(1);
      expect(await read.applyBatch('counter', batch(20, 30, log.slice(10)), guard)).toBe(true);
      expect((await read.projectionRow('counter'))?.checkpoint).toBe(30);
    });

    it('a rebuild swaps in tables with their indexes, triggers, generated columns and views', async () => {
      await runProjections({ events, read }, [projection], { now });
      const before = await rows('SELECT * FROM counts ORDER BY stream');
      const audit = await value('SELECT count(*) FROM audit');
      const notices: string[] = [];
      await runProjections({ events, read }, [projection], {
        now,
        rebuild: true,
        onNotice: (text) => notices.push(text),
      });
      expect(notices).toEqual(['rebuilding projection "counter" from event 1 (asked to)']);
      expect(await rows('SELECT * FROM counts ORDER BY stream')).toEqual(before);
      expect(await value('SELECT count(*) FROM audit')).toBe(audit);
      const objects = await rows(
        `SELECT name, type FROM eventlite_projection_objects ORDER BY name`,
      );
      expect(objects).toEqual(fixture.objects);
      // The trigger came across and still fires on later events.
      await events.append('s-0', [{ type: 'Ticked', data: {} }]);
      await runProjections({ events, read }, [projection], { now });
      expect(await value('SELECT count(*) FROM audit')).toBe((audit as number) + 1);
    });

    it('refuses read models written by a newer eventlite', async () => {
      await fixture.markNewer();
      await expect(fixture.reopen()).rejects.toThrow(/newer eventlite/);
    });

    if (backend.name === 'sqlite') {
      // A file that is some other application's SQLite database. (PostgreSQL keeps read models
      // in a schema of eventlite's own name, not in a file anything else may have written.)
      it('refuses a foreign SQLite file', () => {
        const { dir } = fixture as Fixture & { dir: string };
        const foreign = new Database(join(dir, 'foreign.db'));
        foreign.exec('CREATE TABLE mine (a)');
        foreign.close();
        const location = { readDbPath: join(dir, 'foreign.db'), storePath: join(dir, 'store.db') };
        expect(() => openSqliteReadStore(location, { mode: 'write' })).toThrow(StoreError);
      });
    }
  });
}
