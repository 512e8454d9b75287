import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scenarioLines } from '../helpers/scenario.js';
import type { Domain } from '../../src/core/domain.js';
import type { JsonObject } from '../../src/core/events.js';
import type { ReadStore } from '../../src/core/ports.js';
import { executeCommand } from '../../src/app/exec.js';
import { runSpecs } from '../../src/app/test-specs.js';
import { runProjections } from '../../src/projections/index.js';
import { openPostgresReadStore } from '../../src/store/postgres/read/store.js';
import { openSqliteEventStore, openSqliteReadStore } from '../../src/store/sqlite/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { loadExample } from '../helpers/examples.js';

// The orders example declares monthly_customer_summary as a materialized view with one query
// per dialect (strftime on SQLite, the article's DATE_TRUNC on PostgreSQL). The same events
// must give the same rows on both backends, and the example's specs must pass on both.

const pgEnabled = inject('pgServerUrl') !== null;
const ORDERS = join(ROOT, 'fixtures', 'orders');
const NOW = () => '2026-11-26T10:00:00.000Z';

let orders: Domain;
beforeAll(async () => {
  orders = await loadExample('orders');
});

describe('the orders example on both backends', () => {
  const folder = tempDir();
  const database = pgEnabled ? freshPgDatabase() : undefined;
  afterAll(async () => {
    folder.cleanup();
    await (await database)?.drop();
  });

  async function monthlySummary(read: ReadStore) {
    const store = openSqliteEventStore(':memory:', { create: true });
    // The scenario's own times: a line's "at", else a second after the line before.
    let at = 0;
    for (const line of scenarioLines(join(ORDERS, 'scenario.ndjson'))) {
      const {
        command,
        data,
        at: given,
      } = JSON.parse(line) as {
        command: string;
        data: JsonObject;
        at?: string;
      };
      at = given === undefined ? at + 1000 : Date.parse(given);
      const day = new Date(at);
      await executeCommand(
        { store, domain: orders, clock: () => day },
        { type: command, data },
        { correlationId: 'c' },
      ).catch(() => undefined);
    }
    await runProjections({ events: store, read }, orders.projections ?? [], { now: NOW });
    await store.close();
    const rows = (
      await read.query('SELECT * FROM monthly_customer_summary ORDER BY customer_id, month')
    ).rows;
    const kind = (await read.tables()).find((table) => table.name === 'monthly_customer_summary');
    await read.close();
    return { rows, kind: kind?.type };
  }

  it('gives the same monthly summary rows on SQLite and PostgreSQL', async () => {
    const sqlite = await monthlySummary(
      openSqliteReadStore(
        {
          readDbPath: join(folder.dir, 'orders.read.db'),
          storePath: join(folder.dir, 'orders.db'),
        },
        { mode: 'write' },
      )!,
    );
    expect(sqlite.kind).toBe('materialized view');
    expect(sqlite.rows.length).toBeGreaterThan(0);
    // January to March, as the scenario tells it.
    expect([...new Set(sqlite.rows.map((row) => row.month))].sort()).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    if (!database) return;
    const postgres = await monthlySummary(
      (await openPostgresReadStore((await database).url, { mode: 'write' }))!,
    );
    expect(postgres.kind).toBe('materialized view');
    expect(postgres.rows).toEqual(sqlite.rows);
  });

  it.each(pgEnabled ? ['sqlite', 'postgres'] : ['sqlite'])(
    "passes the example's specs with read models on %s",
    async (backend) => {
      const readDb = backend === 'postgres' ? (await database!).url : undefined;
      const results = await runSpecs(['specs'], {
        cwd: ORDERS,
        loadDomain: async () => orders,
        readDb,
      });
      expect(results.filter((result) => !result.passed)).toEqual([]);
      expect(results.map((result) => result.name)).toContain(
        'monthly_customer_summary sums each month, leaving out cancelled orders',
      );
      if (readDb) {
        // The scratch schemas are dropped after each case.
        const reader = (await openPostgresReadStore(readDb, { mode: 'read' }))!;
        const left = await reader.query(
          "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlite\\_spec\\_%'",
        );
        await reader.close();
        expect(left.rows).toEqual([]);
      }
    },
  );
});
