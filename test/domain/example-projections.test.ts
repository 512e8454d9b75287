import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarioLines } from '../helpers/scenario.js';
import type { Domain } from '../../src/core/domain.js';
import type { RecordedEvent } from '../../src/core/events.js';
import { sqlFor } from '../../src/core/dialect.js';
import {
  materializedViewQuery,
  statementsFor,
  type Projection,
} from '../../src/core/projection.js';
import { executeCommand } from '../../src/app/exec.js';
import { recordGiven } from '../../src/app/specs/run-specs.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { ROOT } from '../helpers/cli.js';
import { loadExample } from '../helpers/examples.js';

// The examples' projections are data plus pure functions; here their statements run against
// an in-memory SQLite, without the runner, to prove the read tables answer the article's queries.
// (Both backends, through the runner: test/conformance/orders-matview.test.ts.)

function applyAll(projection: Projection, events: readonly RecordedEvent[]) {
  const read = new Database(':memory:');
  for (const sql of projection.setup) read.exec(sqlFor(sql, 'sqlite'));
  for (const event of events) {
    for (const { sql, params } of statementsFor(projection, event))
      read.prepare(sqlFor(sql, 'sqlite')).run(params ?? {});
  }
  // Made after the events, so they hold what the runner's last refresh would.
  for (const view of projection.materializedViews ?? []) {
    read.exec(`CREATE TABLE ${view.name} AS ${materializedViewQuery(view, 'sqlite')}`);
  }
  for (const sql of projection.views ?? []) read.exec(sqlFor(sql, 'sqlite'));
  return read;
}

/** The example's scenario through its deciders into an in-memory store; rejected lines skipped. */
async function scenarioEvents(domain: Domain, example: string): Promise<RecordedEvent[]> {
  const store = openSqliteEventStore(':memory:', { create: true });
  for (const line of scenarioLines(join(ROOT, 'fixtures', example, 'scenario.ndjson'))) {
    const { command, data } = JSON.parse(line) as {
      command: string;
      data: Record<string, unknown>;
    };
    await executeCommand({ store, domain }, { type: command, data }, { correlationId: 'c' }).catch(
      () => undefined,
    );
  }
  const events: RecordedEvent[] = [];
  for await (const page of store.readLog()) events.push(...page);
  await store.close();
  return events;
}

let bank: Domain;
let orders: Domain;
beforeAll(async () => {
  [bank, orders] = await Promise.all([loadExample('bank'), loadExample('orders')]);
});

describe('bank: account_summary', () => {
  it('holds one row per account with the balance after the scenario', async () => {
    const read = applyAll(bank.projections![0]!, await scenarioEvents(bank, 'bank'));
    const rows = read
      .prepare('SELECT account_id, owner, balance FROM account_summary ORDER BY account_id')
      .all();
    expect(rows).toEqual([
      { account_id: 'acc-1', owner: 'Ada Lovelace', balance: 70 },
      { account_id: 'acc-2', owner: 'Grace Hopper', balance: 10 },
    ]);
  });
});

describe('orders: the article queries, unchanged but for named parameters', () => {
  const ORDER_SUMMARY = `SELECT o.id, o.created_at, o.total, o.status,
COUNT(oi.id) as item_count
FROM orders o
LEFT JOIN order_items oi ON o.id = oi.order_id
WHERE o.customer_id = :customer_id
GROUP BY o.id
ORDER BY o.created_at DESC
LIMIT :page_size OFFSET :offset`;
  const MONTHLY = `SELECT * FROM monthly_customer_summary
WHERE customer_id = :customer_id
ORDER BY month DESC;`;

  it('answers get_order_summary after the scenario', async () => {
    const read = applyAll(orders.projections![0]!, await scenarioEvents(orders, 'orders'));
    const rows = read.prepare(ORDER_SUMMARY).all({ customer_id: 'c-1', page_size: 20, offset: 0 });
    // Sorted here: the scenario's orders may share a millisecond, and so a created_at.
    const summary = rows.map((row: any) => [row.id, row.total, row.status, row.item_count]).sort();
    expect(summary).toEqual([
      ['o-1', 12.6, 'shipped', 2],
      ['o-3', 10, 'shipped', 1],
      ['o-5', 18, 'placed', 1],
      ['o-6', 12, 'placed', 1],
    ]);
    const statuses = read.prepare('SELECT id, status FROM orders ORDER BY id').all();
    expect(statuses).toEqual([
      { id: 'o-1', status: 'shipped' },
      { id: 'o-2', status: 'cancelled' },
      { id: 'o-3', status: 'shipped' },
      { id: 'o-4', status: 'shipped' },
      { id: 'o-5', status: 'placed' },
      { id: 'o-6', status: 'placed' },
    ]);
  });

  it('sums monthly_customer_summary per month, leaving out cancelled orders', () => {
    const item = (quantity: number, price: number) => ({ productId: 'p', quantity, price });
    const placed = (orderId: string, items: object[], recordedAt: string) => ({
      stream: `order-${orderId}`,
      type: 'OrderPlaced',
      data: { orderId, customerId: 'c-1', items, total: 0 },
      recordedAt,
    });
    const events = recordGiven(
      [
        {
          stream: 'customer-c-1',
          type: 'CustomerRegistered',
          data: { customerId: 'c-1', email: 'a@b.co' },
        },
        placed('o-1', [item(2, 10), item(1, 5)], '2026-01-05T10:00:00.000Z'),
        placed('o-2', [item(1, 15)], '2026-01-20T10:00:00.000Z'),
        placed('o-3', [item(3, 1)], '2026-02-01T10:00:00.000Z'),
        placed('o-4', [item(1, 100)], '2026-02-02T10:00:00.000Z'),
        { stream: 'order-o-4', type: 'OrderCancelled', data: { orderId: 'o-4' } },
      ],
      'unused',
    );
    const read = applyAll(orders.projections![0]!, events);
    expect(read.prepare(MONTHLY).all({ customer_id: 'c-1' })).toEqual([
      {
        customer_id: 'c-1',
        email: 'a@b.co',
        month: '2026-02',
        order_count: 1,
        total_spent: 3,
        avg_order_value: 3,
      },
      {
        customer_id: 'c-1',
        email: 'a@b.co',
        month: '2026-01',
        order_count: 2,
        total_spent: 40,
        avg_order_value: 20,
      },
    ]);
  });
});
