import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type ProjectionSchema,
  type ReadStore,
} from '../../src/core/ports.js';
import type { SqlStatement } from '../../src/core/projection.js';
import { projectionRow } from '../helpers/projection-row.js';

// The ReadStore port's contract, for any adapter: only the port is used, and only SQL that
// SQLite and PostgreSQL both take. `open` gives a fresh, empty read store for each test.

export interface ReadStoreHarness {
  read: ReadStore;
  /** The same read models opened read-only (undefined when none exist yet). */
  readOnly(): Promise<ReadStore | undefined>;
  cleanup(): Promise<void>;
}

const T = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;

export const SUMMARY: ProjectionSchema = {
  name: 'account_summary',
  version: 1,
  definitionHash: 'def-1',
  schemaHash: 'schema-1',
  setup: [
    'CREATE TABLE account_summary (account_id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0, deposits INTEGER NOT NULL DEFAULT 0)',
    'CREATE INDEX account_summary_by_owner ON account_summary (owner)',
  ],
  views: [
    'CREATE VIEW rich_accounts AS SELECT account_id, balance FROM account_summary WHERE balance >= 100',
  ],
};

/** Version 2: one more column, and balances counted in tenths. */
const SUMMARY_V2: ProjectionSchema = {
  ...SUMMARY,
  version: 2,
  definitionHash: 'def-2',
  schemaHash: 'schema-2',
  setup: [
    'CREATE TABLE account_summary (account_id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL DEFAULT 0, deposits INTEGER NOT NULL DEFAULT 0, tier TEXT)',
    'CREATE INDEX account_summary_by_owner ON account_summary (owner)',
  ],
};

const LEDGER: ProjectionSchema = {
  name: 'ledger',
  version: 1,
  definitionHash: 'ledger-def',
  schemaHash: 'ledger-schema',
  setup: ['CREATE TABLE ledger (position INTEGER PRIMARY KEY, amount INTEGER NOT NULL)'],
  views: [],
};

export function event(
  position: number,
  type: string,
  data: Record<string, unknown>,
): RecordedEvent {
  return {
    position,
    stream: `account-${String(data.id ?? 'x')}`,
    version: position,
    type,
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    data,
    metadata: {},
    recordedAt: T(position),
  };
}

/** The account_summary handlers; `factor` scales amounts (version 2 uses 10). */
export function summaryStatements(factor = 1) {
  return (e: RecordedEvent): SqlStatement[] => {
    const data = e.data as { id: string; owner?: string; amount?: number };
    const amount = (data.amount ?? 0) * factor;
    switch (e.type) {
      case 'AccountOpened':
        return [
          {
            sql: 'INSERT INTO account_summary (account_id, owner) VALUES (:id, :owner)',
            params: { id: data.id, owner: data.owner },
          },
        ];
      case 'MoneyDeposited':
        // '?' and ':x' inside a string literal are text, not parameters.
        return [
          {
            sql: `INSERT INTO account_summary (account_id, owner, balance, deposits)
                  VALUES (:id, '?:unknown', :amount, 1)
                  ON CONFLICT (account_id) DO UPDATE SET
                    balance = account_summary.balance + excluded.balance,
                    deposits = account_summary.deposits + 1`,
            params: { id: data.id, amount },
          },
        ];
      case 'MoneyWithdrawn':
        return [
          {
            sql: 'UPDATE account_summary SET balance = balance - ? WHERE account_id = ?',
            params: [amount, data.id],
          },
        ];
      case 'Poison':
        return [{ sql: 'INSERT INTO no_such_table (x) VALUES (1)' }];
      case 'Unbound':
        return [{ sql: 'UPDATE account_summary SET balance = :missing', params: {} }];
      case 'Explode':
        throw new Error('handler exploded');
      default:
        return [];
    }
  };
}

function batch(
  from: number,
  to: number,
  events: RecordedEvent[],
  statementsFor = summaryStatements(),
): ProjectionBatch {
  return { from, to, events, statementsFor };
}

const guard = (at = T(30), version = 1, definitionHash = 'def-1'): BatchGuard => ({
  version,
  definitionHash,
  at,
});

/** Two accounts: a with 130 (rich), b with 30. */
const OPENING = [
  event(1, 'AccountOpened', { id: 'a', owner: 'Ada' }),
  event(2, 'AccountOpened', { id: 'b', owner: 'Bob' }),
  event(3, 'MoneyDeposited', { id: 'a', amount: 150 }),
  event(4, 'MoneyDeposited', { id: 'b', amount: 30 }),
  event(5, 'MoneyWithdrawn', { id: 'a', amount: 20 }),
];

const READ_ONLY_REFUSAL = /^query refused: only a read-only statement/;

async function balancesIn(read: ReadStore) {
  return (await read.query('SELECT account_id, balance FROM account_summary ORDER BY account_id'))
    .rows;
}

/** account_summary created and applied to checkpoint 5 (OPENING). */
async function openAccounts(read: ReadStore): Promise<void> {
  await read.createProjection(SUMMARY, T(0));
  expect(await read.applyBatch(SUMMARY.name, batch(0, 5, OPENING), guard())).toBe(true);
}

export function describeReadStore(label: string, open: () => Promise<ReadStoreHarness>): void {
  describe(`ReadStore conformance: ${label}`, () => {
    let harness: ReadStoreHarness;
    let read: ReadStore;

    beforeEach(async () => {
      harness = await open();
      read = harness.read;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    const balances = () => balancesIn(read);

    const opened = () => openAccounts(read);

    it('createProjection makes the tables and views at checkpoint 0, once', async () => {
      await read.createProjection(SUMMARY, T(0));
      // A second call is a no-op: its setup (which would fail if run again) does not run.
      await read.createProjection(SUMMARY, T(1));
      expect(await read.projectionRow(SUMMARY.name)).toEqual(
        projectionRow(SUMMARY, { lastRunAt: T(0) }),
      );
      expect([...(await read.projectionRows()).keys()]).toEqual(['account_summary']);
      expect(await read.tables()).toEqual([
        { name: 'account_summary', type: 'table', rows: 0, projection: 'account_summary' },
        { name: 'rich_accounts', type: 'view', rows: 0, projection: 'account_summary' },
      ]);
      expect(await read.projectionRow('nope')).toBeUndefined();
    });

    it('applyBatch applies the events in order and moves the checkpoint', async () => {
      await opened();
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 130 },
        { account_id: 'b', balance: 30 },
      ]);
      expect((await read.query('SELECT account_id FROM rich_accounts')).rows).toEqual([
        { account_id: 'a' },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        checkpoint: 5,
        status: 'ok',
        lastRunAt: T(30),
      });
      // A batch with nothing for this projection still moves the checkpoint to its end.
      expect(await read.applyBatch(SUMMARY.name, batch(5, 9, []), guard(T(31)))).toBe(true);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        checkpoint: 9,
        lastRunAt: T(31),
      });
    });

    it('a batch from a checkpoint that has moved, or for another definition, applies nothing', async () => {
      await opened();
      let calls = 0;
      const counting = (e: RecordedEvent) => {
        calls += 1;
        return summaryStatements()(e);
      };
      const deposit = [event(6, 'MoneyDeposited', { id: 'a', amount: 1000 })];
      expect(await read.applyBatch(SUMMARY.name, batch(0, 6, deposit, counting), guard())).toBe(
        false,
      );
      expect(
        await read.applyBatch(SUMMARY.name, batch(5, 6, deposit, counting), guard(T(40), 2)),
      ).toBe(false);
      expect(
        await read.applyBatch(
          SUMMARY.name,
          batch(5, 6, deposit, counting),
          guard(T(40), 1, 'other'),
        ),
      ).toBe(false);
      expect(await read.applyBatch('nope', batch(0, 6, deposit, counting), guard())).toBe(false);
      expect(calls).toBe(0);
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 130 },
        { account_id: 'b', balance: 30 },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        checkpoint: 5,
        lastRunAt: T(30),
      });
    });

    it('a failing statement rolls the whole batch back and names its event', async () => {
      await opened();
      const events = [
        event(6, 'MoneyDeposited', { id: 'a', amount: 10 }),
        event(7, 'Poison', { id: 'a' }),
        event(8, 'MoneyDeposited', { id: 'b', amount: 10 }),
      ];
      const failure = await read
        .applyBatch(SUMMARY.name, batch(5, 8, events), guard())
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).event.position).toBe(7);
      expect((failure as HandlerFailure).event.type).toBe('Poison');
      expect((failure as HandlerFailure).message).toMatch(/no_such_table/);
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 130 },
        { account_id: 'b', balance: 30 },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({ checkpoint: 5, status: 'ok' });
      // The store is usable afterwards.
      expect(await read.applyBatch(SUMMARY.name, batch(5, 6, events.slice(0, 1)), guard())).toBe(
        true,
      );
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 140 },
        { account_id: 'b', balance: 30 },
      ]);
    });

    it('a handler that throws rolls the batch back likewise', async () => {
      await opened();
      const events = [
        event(6, 'MoneyDeposited', { id: 'a', amount: 10 }),
        event(7, 'Explode', { id: 'a' }),
        event(8, 'MoneyDeposited', { id: 'a', amount: 10 }),
      ];
      const failure = await read
        .applyBatch(SUMMARY.name, batch(5, 8, events), guard())
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).event.position).toBe(7);
      expect((failure as HandlerFailure).failure).toEqual(new Error('handler exploded'));
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 130 });
      expect((await read.projectionRow(SUMMARY.name))?.checkpoint).toBe(5);
    });

    it('a statement missing a named parameter fails its event, naming the parameter', async () => {
      await opened();
      const events = [
        event(6, 'MoneyDeposited', { id: 'a', amount: 10 }),
        event(7, 'Unbound', { id: 'a' }),
      ];
      const failure = await read
        .applyBatch(SUMMARY.name, batch(5, 7, events), guard())
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).event.position).toBe(7);
      expect((failure as HandlerFailure).message).toMatch(/missing/);
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 130 });
    });

    it('markFailed records a failure; the next batch under an adopted hash clears it', async () => {
      await opened();
      await read.createProjection(LEDGER, T(1));
      const failure = {
        position: 6,
        stream: 'account-a',
        type: 'Poison',
        error: 'no such table: no_such_table',
        during: 'catch-up' as const,
      };
      await read.markFailed(SUMMARY.name, failure, T(40));
      const rows = await read.projectionRows();
      expect([...rows.keys()]).toEqual(['account_summary', 'ledger']);
      expect(rows.get(SUMMARY.name)).toMatchObject({
        status: 'failed',
        error: 'no such table: no_such_table',
        failedPosition: 6,
        failedStream: 'account-a',
        failedType: 'Poison',
        failedDuring: 'catch-up',
        checkpoint: 5,
        lastRunAt: T(40),
      });
      expect(rows.get('ledger')).toMatchObject({ status: 'ok', checkpoint: 0, error: null });

      await read.adoptDefinitionHash(SUMMARY.name, 'def-1b');
      expect((await read.projectionRow(SUMMARY.name))?.definitionHash).toBe('def-1b');
      const deposit = [event(6, 'MoneyDeposited', { id: 'b', amount: 70 })];
      expect(await read.applyBatch(SUMMARY.name, batch(5, 6, deposit), guard())).toBe(false);
      expect(
        await read.applyBatch(SUMMARY.name, batch(5, 6, deposit), guard(T(41), 1, 'def-1b')),
      ).toBe(true);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        status: 'ok',
        error: null,
        failedPosition: null,
        failedStream: null,
        failedType: null,
        failedDuring: null,
        checkpoint: 6,
        lastRunAt: T(41),
      });
    });

    it('a rebuild builds apart, and swapIn replaces the tables whole', async () => {
      await opened();
      const build = await read.startRebuild(SUMMARY_V2, T(50));
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        rebuildingPid: process.pid,
        rebuildingSince: T(50),
        version: 1,
      });
      await build.apply(batch(0, 3, OPENING.slice(0, 3), summaryStatements(10)));
      await build.apply(batch(3, 5, OPENING.slice(3), summaryStatements(10)));
      // While it builds, queries see the old, complete tables.
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 130 },
        { account_id: 'b', balance: 30 },
      ]);
      expect((await read.tables()).map((table) => [table.name, table.rows])).toEqual([
        ['account_summary', 2],
        ['rich_accounts', 1],
      ]);

      await build.swapIn(5, T(51));
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 1300 },
        { account_id: 'b', balance: 300 },
      ]);
      expect(
        (
          await read.query(
            'SELECT account_id, tier FROM rich_accounts NATURAL JOIN account_summary ORDER BY account_id',
          )
        ).rows,
      ).toEqual([
        { account_id: 'a', tier: null },
        { account_id: 'b', tier: null },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toEqual(
        projectionRow(SUMMARY_V2, { checkpoint: 5, lastRunAt: T(51) }),
      );
      expect(await read.tables()).toEqual([
        { name: 'account_summary', type: 'table', rows: 2, projection: 'account_summary' },
        { name: 'rich_accounts', type: 'view', rows: 2, projection: 'account_summary' },
      ]);
      // Catch-up carries on from the swapped-in checkpoint under the new definition.
      const deposit = [event(6, 'MoneyDeposited', { id: 'b', amount: 1 })];
      expect(
        await read.applyBatch(
          SUMMARY.name,
          batch(5, 6, deposit, summaryStatements(10)),
          guard(T(52), 2, 'def-2'),
        ),
      ).toBe(true);
      expect((await balances())[1]).toEqual({ account_id: 'b', balance: 310 });
    });

    it('abandon drops the scratch tables, keeps the old ones and clears the mark', async () => {
      await opened();
      const build = await read.startRebuild(SUMMARY_V2, T(50));
      await build.apply(batch(0, 5, OPENING, summaryStatements(10)));
      await build.abandon();
      expect(await balances()).toEqual([
        { account_id: 'a', balance: 130 },
        { account_id: 'b', balance: 30 },
      ]);
      expect(await read.projectionRow(SUMMARY.name)).toMatchObject({
        version: 1,
        checkpoint: 5,
        rebuildingPid: null,
        rebuildingSince: null,
      });
      // Nothing of the abandoned build is left in the way of the next one.
      const again = await read.startRebuild(SUMMARY_V2, T(53));
      await again.apply(batch(0, 5, OPENING, summaryStatements(10)));
      await again.swapIn(5, T(54));
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 1300 });
    });

    it('a failing handler in a rebuild throws HandlerFailure and leaves the live tables', async () => {
      await opened();
      const build = await read.startRebuild(SUMMARY_V2, T(50));
      const events = [...OPENING.slice(0, 3), event(4, 'Poison', { id: 'a' })];
      const failure = await build
        .apply(batch(0, 4, events, summaryStatements(10)))
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HandlerFailure);
      expect((failure as HandlerFailure).event.position).toBe(4);
      await build.abandon();
      expect((await balances())[0]).toEqual({ account_id: 'a', balance: 130 });
      expect((await read.projectionRow(SUMMARY.name))?.version).toBe(1);
    });

    it('query refuses several statements, empty SQL and a NUL, and reports SQL errors', async () => {
      await opened();
      const refusal = async (sql: string) => {
        const error = await read.query(sql).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(InputError);
        return (error as Error).message;
      };
      expect(await refusal('SELECT 1; SELECT 2')).toBe(
        'query refused: give exactly one SQL statement',
      );
      expect(await refusal('SELECT 1; DELETE FROM account_summary')).toBe(
        'query refused: give exactly one SQL statement',
      );
      expect(await refusal('')).toBe('query is empty: give one SQL statement');
      expect(await refusal('  \n ')).toBe('query is empty: give one SQL statement');
      expect(await refusal('-- nothing but a comment')).toBe(
        'query is empty: give one SQL statement',
      );
      expect(await refusal('SELECT 1\0')).toBe('query refused: it contains a NUL character');
      expect(await refusal('SELECT * FROM no_such_table')).toMatch(
        /^query failed: .*no_such_table/,
      );
      expect(await refusal('SELEC 1')).toMatch(/^query failed: /);
      expect(await balances()).toHaveLength(2);
      // A trailing semicolon and comment are one statement.
      expect((await read.query('SELECT 1 AS one; -- done')).rows).toEqual([{ one: 1 }]);
    });

    it('query binds :named parameters and returns columns in order', async () => {
      await opened();
      const result = await read.query(
        'SELECT account_id, balance, deposits FROM account_summary WHERE balance >= :min OR deposits >= :min ORDER BY account_id',
        { min: 100 },
      );
      expect(result).toEqual({
        columns: ['account_id', 'balance', 'deposits'],
        rows: [{ account_id: 'a', balance: 130, deposits: 1 }],
      });
      expect(
        (await read.query('SELECT owner FROM account_summary WHERE account_id = :id', { id: 'b' }))
          .rows,
      ).toEqual([{ owner: 'Bob' }]);
      // In a string, a colon-word is text; an unused parameter is ignored.
      expect((await read.query("SELECT ':min' AS text", { min: 1 })).rows).toEqual([
        { text: ':min' },
      ]);
      expect(
        (await read.query('SELECT count(*) AS n, sum(balance) AS total FROM account_summary')).rows,
      ).toEqual([{ n: 2, total: 160 }]);
      await expect(
        read.query('SELECT account_id FROM account_summary WHERE balance >= :min'),
      ).rejects.toThrow('query failed: no value for :min; give --param min=VALUE');
    });

    it('queryPages pages through a result larger than one page, in order, with exact values', async () => {
      await opened();
      const sql =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :last) SELECT i, i * 10007 AS big, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN '' ELSE 'r' || i END AS label FROM n ORDER BY i";
      const { columns, pages } = await read.queryPages(sql, { last: 2500 }, 1000);
      expect(columns).toEqual(['i', 'big', 'label']);
      const sizes: number[] = [];
      const rows: Record<string, unknown>[] = [];
      for await (const page of pages) {
        sizes.push(page.length);
        rows.push(...page);
      }
      expect(sizes).toEqual([1000, 1000, 500]);
      expect(rows).toHaveLength(2500);
      rows.forEach((row, index) => {
        const i = index + 1;
        const label = i % 7 === 0 ? null : i % 5 === 0 ? '' : `r${i}`;
        expect(row).toEqual({ i, big: i * 10007, label });
      });
      // The same rows as the whole-result query, and the store is free again afterwards.
      expect(rows).toEqual((await read.query(sql, { last: 2500 })).rows);
      // A page loop left early lets the statement go.
      const early = await read.queryPages(sql, { last: 2500 }, 1000);
      for await (const page of early.pages) {
        expect(page[0]).toEqual({ i: 1, big: 10007, label: 'r1' });
        break;
      }
      const empty = await read.queryPages('SELECT account_id FROM account_summary WHERE 1 = 0');
      expect(empty.columns).toEqual(['account_id']);
      const emptyPages: unknown[] = [];
      for await (const page of empty.pages) emptyPages.push(page);
      expect(emptyPages).toEqual([]);
      expect(await balances()).toHaveLength(2);
      await expect(read.queryPages('DELETE FROM account_summary')).rejects.toThrow(InputError);
      await expect(
        read.queryPages('SELECT account_id FROM account_summary WHERE balance >= :min'),
      ).rejects.toThrow('query failed: no value for :min; give --param min=VALUE');
    });

    it('tables lists tables and views by name with row counts and owners', async () => {
      await opened();
      await read.createProjection(LEDGER, T(1));
      expect(
        await read.applyBatch(
          LEDGER.name,
          batch(0, 5, OPENING, (e) =>
            e.type === 'MoneyDeposited'
              ? [
                  {
                    sql: 'INSERT INTO ledger (position, amount) VALUES (?, ?)',
                    params: [e.position, e.data.amount],
                  },
                ]
              : [],
          ),
          guard(T(2), 1, 'ledger-def'),
        ),
      ).toBe(true);
      expect(await read.tables()).toEqual([
        { name: 'account_summary', type: 'table', rows: 2, projection: 'account_summary' },
        { name: 'ledger', type: 'table', rows: 2, projection: 'ledger' },
        { name: 'rich_accounts', type: 'view', rows: 1, projection: 'account_summary' },
      ]);
    });

    it('columns lists the columns of those tables and views, in order, with their types', async () => {
      await opened();
      await read.createProjection(LEDGER, T(1));
      const columns = await read.columns();
      // Each backend names its types its own way (SQLite as declared, PostgreSQL in lower
      // case), and SQLite lets NULL into a primary key that is not an INTEGER one.
      expect(columns.map((column) => ({ ...column, type: column.type.toLowerCase() }))).toEqual([
        {
          table: 'account_summary',
          column: 'account_id',
          type: 'text',
          nullable: columns[0]!.nullable,
        },
        { table: 'account_summary', column: 'owner', type: 'text', nullable: false },
        { table: 'account_summary', column: 'balance', type: 'integer', nullable: false },
        { table: 'account_summary', column: 'deposits', type: 'integer', nullable: false },
        { table: 'ledger', column: 'position', type: 'integer', nullable: false },
        { table: 'ledger', column: 'amount', type: 'integer', nullable: false },
        { table: 'rich_accounts', column: 'account_id', type: 'text', nullable: true },
        { table: 'rich_accounts', column: 'balance', type: 'integer', nullable: true },
      ]);
    });

    it('a read-only opening reads the same models', async () => {
      await opened();
      const reader = await harness.readOnly();
      expect(reader).toBeDefined();
      try {
        expect((await reader!.query('SELECT count(*) AS n FROM account_summary')).rows).toEqual([
          { n: 2 },
        ]);
        expect((await reader!.tables()).map((table) => table.name)).toEqual([
          'account_summary',
          'rich_accounts',
        ]);
        expect((await reader!.projectionRow(SUMMARY.name))?.checkpoint).toBe(5);
      } finally {
        await reader!.close();
      }
    });
  });

  // The refusals change nothing (each case checks so), so they share one store: a fresh one
  // each costs a database on PostgreSQL. A refusal that did write would show in its own case's
  // checks, and in the cases after it.
  describe(`ReadStore conformance: ${label}, refused writes`, () => {
    let harness: ReadStoreHarness;
    let read: ReadStore;

    beforeAll(async () => {
      harness = await open();
      read = harness.read;
      await openAccounts(read);
    });
    afterAll(async () => {
      await harness?.cleanup();
    });

    it.each([
      'UPDATE account_summary SET balance = 0',
      "INSERT INTO account_summary (account_id, owner) VALUES ('z', 'Zed')",
      'DELETE FROM account_summary',
      'CREATE TABLE intruder (a INTEGER)',
      'DROP TABLE account_summary',
      'DROP VIEW rich_accounts',
      'ALTER TABLE account_summary ADD COLUMN c INTEGER',
      'CREATE INDEX intruder ON account_summary (balance)',
      'WITH c AS (SELECT 1) DELETE FROM account_summary',
      "WITH c AS (SELECT 1) INSERT INTO account_summary (account_id, owner) SELECT 'q', 'Q' FROM c",
      'BEGIN',
    ])('query refuses a write: %s', async (sql) => {
      await expect(read.query(sql)).rejects.toThrow(InputError);
      await expect(read.query(sql)).rejects.toThrow(READ_ONLY_REFUSAL);
      expect(await balancesIn(read)).toHaveLength(2);
      expect((await read.tables()).map((table) => table.name)).toEqual([
        'account_summary',
        'rich_accounts',
      ]);
    });
  });
}
