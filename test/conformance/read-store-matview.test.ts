import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RecordedEvent } from '../../src/core/events.js';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type ProjectionSchema,
  type ReadStore,
} from '../../src/core/ports.js';
import type { MaterializedView, SqlStatement } from '../../src/core/projection.js';
import { openPostgresReadStore } from '../../src/store/postgres/read/store.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { event } from './read-store.suite.js';
import { openSqliteReadHarness } from './sqlite-read-harness.js';

// The ReadStore port's contract for per-dialect SQL and materialized views, on both adapters:
// only the port is used. Where the SQL differs, each backend gets its own text, and the rows
// that come back must be the same on both.

interface Opened {
  read: ReadStore;
  cleanup(): Promise<void>;
}

const T = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** Per-dialect month text: the same `2026-11` from strftime and from DATE_TRUNC + to_char. */
const TOTALS: MaterializedView = {
  name: 'monthly_totals',
  query: {
    sqlite: `SELECT account, strftime('%Y-%m', at) AS month, SUM(amount) AS total, COUNT(*) AS n
             FROM ledger GROUP BY account, strftime('%Y-%m', at);`,
    postgres: `SELECT account, to_char(DATE_TRUNC('month', at::timestamptz), 'YYYY-MM') AS month,
                 SUM(amount) AS total, COUNT(*) AS n
               FROM ledger GROUP BY account, DATE_TRUNC('month', at::timestamptz)`,
  },
};

/** Fails to refresh once a note is not JSON: a failure that only the data can cause. */
const NOTES: MaterializedView = {
  name: 'notes',
  query: {
    sqlite: 'SELECT position, json(note) AS doc FROM ledger WHERE note IS NOT NULL',
    postgres: 'SELECT position, note::json AS doc FROM ledger WHERE note IS NOT NULL',
  },
};

const LEDGER: ProjectionSchema = {
  name: 'ledger',
  version: 1,
  definitionHash: 'ledger-1',
  schemaHash: 'ledger-1',
  setup: [
    {
      sqlite:
        'CREATE TABLE ledger (position INTEGER PRIMARY KEY, account TEXT NOT NULL, amount INTEGER NOT NULL, at TEXT NOT NULL, note TEXT)',
      postgres:
        'CREATE TABLE ledger (position BIGINT PRIMARY KEY, account TEXT NOT NULL, amount BIGINT NOT NULL, at TEXT NOT NULL, note TEXT)',
    },
  ],
  materializedViews: [TOTALS, NOTES],
  // Views come after the materialized views, so they may read them.
  views: ['CREATE VIEW big_accounts AS SELECT account FROM monthly_totals WHERE total >= 100'],
};

const LEDGER_V2: ProjectionSchema = { ...LEDGER, version: 2, definitionHash: 'ledger-2' };

function record(e: RecordedEvent): SqlStatement[] {
  const data = e.data as { account: string; amount?: number; note?: string };
  if (e.type === 'Poison') return [{ sql: 'INSERT INTO no_such_table (x) VALUES (1)' }];
  if (e.type === 'Nothing') return [];
  return [
    {
      sql: 'INSERT INTO ledger (position, account, amount, at, note) VALUES (:position, :account, :amount, :at, :note)',
      params: {
        position: e.position,
        account: data.account,
        amount: data.amount ?? 0,
        at: e.recordedAt,
        note: data.note ?? null,
      },
    },
  ];
}

function batch(from: number, to: number, events: RecordedEvent[]): ProjectionBatch {
  return { from, to, events, statementsFor: record, materializedViews: LEDGER.materializedViews };
}

const guard = (version = 1, definitionHash = 'ledger-1'): BatchGuard => ({
  version,
  definitionHash,
  at: T(30),
});

const paid = (position: number, account: string, amount: number, note?: string) =>
  event(position, 'Paid', { account, amount, ...(note === undefined ? {} : { note }) });

function describeMatviews(label: string, open: () => Promise<Opened>): void {
  describe(`ReadStore materialized views and dialects: ${label}`, () => {
    let opened: Opened;
    let read: ReadStore;
    beforeEach(async () => {
      opened = await open();
      read = opened.read;
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    const totals = async () =>
      (await read.query('SELECT * FROM monthly_totals ORDER BY account')).rows;
    const checkpoint = async () => (await read.projectionRow('ledger'))?.checkpoint;

    it('runs the text of its own dialect, in setup, views and statements', async () => {
      const backend = label === 'SQLite' ? 'sqlite' : 'postgres';
      await read.createProjection(
        {
          name: 'dialect',
          version: 1,
          definitionHash: 'd',
          schemaHash: 'd',
          setup: [
            {
              sqlite: "CREATE TABLE seen (by TEXT NOT NULL DEFAULT 'sqlite')",
              postgres: "CREATE TABLE seen (by TEXT NOT NULL DEFAULT 'postgres')",
            },
          ],
          views: [
            {
              sqlite: "CREATE VIEW seen_by AS SELECT by || ' view' AS by FROM seen",
              postgres: "CREATE VIEW seen_by AS SELECT concat(by, ' view') AS by FROM seen",
            },
          ],
        },
        T(0),
      );
      const statementsFor = (e: RecordedEvent): SqlStatement[] =>
        e.type === 'Typo'
          ? [{ sql: { sqlite_: 'SELECT 1', postgres_: 'SELECT 1' } as never }]
          : [
              { sql: 'INSERT INTO seen DEFAULT VALUES' },
              {
                sql: {
                  sqlite: "INSERT INTO seen (by) VALUES (:who || ' sqlite')",
                  postgres: "INSERT INTO seen (by) VALUES (:who || ' postgres')",
                },
                params: { who: 'statement' },
              },
            ];
      const applied = await read.applyBatch(
        'dialect',
        { from: 0, to: 1, events: [event(1, 'X', {})], statementsFor },
        { version: 1, definitionHash: 'd', at: T(1) },
      );
      expect(applied).toBe(true);
      expect((await read.query('SELECT by FROM seen_by ORDER BY by')).rows).toEqual([
        { by: `${backend} view` },
        { by: `statement ${backend} view` },
      ]);
      // A statement without a text for this backend fails its event, saying what is missing.
      const failure = await read
        .applyBatch(
          'dialect',
          { from: 1, to: 2, events: [event(2, 'Typo', {})], statementsFor },
          { version: 1, definitionHash: 'd', at: T(2) },
        )
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).message).toBe(
        `no SQL for ${backend}: give the SQL as a string or as { sqlite: '…', postgres: '…' }`,
      );
    });

    it('a materialized view is made at once, is listed as one, and stays current with each batch', async () => {
      await read.createProjection(LEDGER, T(0));
      expect(await read.tables()).toEqual([
        { name: 'big_accounts', type: 'view', rows: 0, projection: 'ledger' },
        { name: 'ledger', type: 'table', rows: 0, projection: 'ledger' },
        { name: 'monthly_totals', type: 'materialized view', rows: 0, projection: 'ledger' },
        { name: 'notes', type: 'materialized view', rows: 0, projection: 'ledger' },
      ]);
      expect(
        await read.applyBatch('ledger', batch(0, 2, [paid(1, 'a', 70), paid(2, 'b', 5)]), guard()),
      ).toBe(true);
      expect(await totals()).toEqual([
        { account: 'a', month: '2026-11', total: 70, n: 1 },
        { account: 'b', month: '2026-11', total: 5, n: 1 },
      ]);
      expect(await checkpoint()).toBe(2);
      expect(
        await read.applyBatch('ledger', batch(2, 4, [paid(3, 'a', 40, '{"x":1}')]), guard()),
      ).toBe(true);
      expect(await totals()).toEqual([
        { account: 'a', month: '2026-11', total: 110, n: 2 },
        { account: 'b', month: '2026-11', total: 5, n: 1 },
      ]);
      expect((await read.query('SELECT account FROM big_accounts')).rows).toEqual([
        { account: 'a' },
      ]);
      expect(await checkpoint()).toBe(4);
      // A batch that ran no statement changed nothing; the views stay as they are.
      expect(await read.applyBatch('ledger', batch(4, 6, [event(5, 'Nothing', {})]), guard())).toBe(
        true,
      );
      expect((await totals())[0]).toEqual({ account: 'a', month: '2026-11', total: 110, n: 2 });
      expect((await read.tables()).find((table) => table.name === 'notes')).toEqual({
        name: 'notes',
        type: 'materialized view',
        rows: 1,
        projection: 'ledger',
      });
    });

    it('a failing batch, or a refresh that fails, leaves the views and the checkpoint as they were', async () => {
      await read.createProjection(LEDGER, T(0));
      await read.applyBatch('ledger', batch(0, 1, [paid(1, 'a', 70)]), guard());
      const before = await totals();

      const poisoned = await read
        .applyBatch('ledger', batch(1, 3, [paid(2, 'a', 50), event(3, 'Poison', {})]), guard())
        .catch((error: unknown) => error);
      expect(poisoned).toBeInstanceOf(HandlerFailure);
      expect((poisoned as HandlerFailure).event.position).toBe(3);
      expect(await totals()).toEqual(before);

      // The statements work; the refresh of `notes` fails on the data, and undoes them too.
      const events = [paid(2, 'a', 50), paid(3, 'b', 1, 'not json'), event(4, 'Nothing', {})];
      const refresh = await read
        .applyBatch('ledger', batch(1, 4, events), guard())
        .catch((error: unknown) => error);
      expect(refresh).toBeInstanceOf(HandlerFailure);
      expect((refresh as HandlerFailure).event.position).toBe(3);
      expect((refresh as HandlerFailure).message).toMatch(
        /^refreshing materialized view "notes": .*(JSON|json)/,
      );
      expect(await totals()).toEqual(before);
      expect((await read.query('SELECT count(*) AS n FROM ledger')).rows).toEqual([{ n: 1 }]);
      expect(await checkpoint()).toBe(1);
    });

    it('a rebuild builds its materialized views apart and swaps them in with the rest', async () => {
      await read.createProjection(LEDGER, T(0));
      await read.applyBatch('ledger', batch(0, 1, [paid(1, 'a', 70)]), guard());
      const build = await read.startRebuild(LEDGER_V2, T(40));
      await build.apply(batch(0, 2, [paid(1, 'a', 700), paid(2, 'c', 9)]));
      await build.apply(batch(2, 3, [paid(3, 'c', 1)]));
      // While it builds, queries see the old views.
      expect(await totals()).toEqual([{ account: 'a', month: '2026-11', total: 70, n: 1 }]);
      await build.swapIn(3, T(41));
      expect(await totals()).toEqual([
        { account: 'a', month: '2026-11', total: 700, n: 1 },
        { account: 'c', month: '2026-11', total: 10, n: 2 },
      ]);
      expect((await read.tables()).map(({ name, type, rows }) => [name, type, rows])).toEqual([
        ['big_accounts', 'view', 1],
        ['ledger', 'table', 3],
        ['monthly_totals', 'materialized view', 2],
        ['notes', 'materialized view', 0],
      ]);
      // Catch-up carries on refreshing the swapped-in views.
      expect(
        await read.applyBatch('ledger', batch(3, 4, [paid(4, 'c', 90)]), guard(2, 'ledger-2')),
      ).toBe(true);
      expect((await totals())[1]).toEqual({ account: 'c', month: '2026-11', total: 100, n: 3 });
      expect((await read.query('SELECT account FROM big_accounts ORDER BY account')).rows).toEqual([
        { account: 'a' },
        { account: 'c' },
      ]);
      // And a second rebuild replaces them again (the old ones are dropped as what they are).
      const again = await read.startRebuild({ ...LEDGER_V2, version: 3 }, T(42));
      await again.apply(batch(0, 1, [paid(1, 'z', 1)]));
      await again.swapIn(1, T(43));
      expect(await totals()).toEqual([{ account: 'z', month: '2026-11', total: 1, n: 1 }]);
    });

    it('a rebuild whose refresh fails at the swap leaves the live views, and can be abandoned', async () => {
      await read.createProjection(LEDGER, T(0));
      await read.applyBatch('ledger', batch(0, 1, [paid(1, 'a', 70)]), guard());
      const build = await read.startRebuild(LEDGER_V2, T(40));
      await build.apply(batch(0, 2, [paid(1, 'a', 1, 'not json'), event(2, 'Nothing', {})]));
      const failure = await build.swapIn(2, T(41)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).event.position).toBe(1);
      await build.abandon();
      expect(await totals()).toEqual([{ account: 'a', month: '2026-11', total: 70, n: 1 }]);
      expect(await read.projectionRow('ledger')).toMatchObject({
        version: 1,
        checkpoint: 1,
        rebuildingPid: null,
      });
    });
  });
}

describeMatviews('SQLite', openSqliteReadHarness);

if (inject('pgServerUrl') !== null) {
  describeMatviews('PostgreSQL', async () => {
    const database = await freshPgDatabase();
    const read = (await openPostgresReadStore(database.url, { mode: 'write' }))!;
    return {
      read,
      async cleanup() {
        await read.close();
        await database.drop();
      },
    };
  });
}
