// Type-level checks of per-dialect SQL and materialized views in the authoring API (compiled by
// `tsc --noEmit` over test/: each `@ts-expect-error` must meet an error).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineProjection } from '../../src/core/domain.js';
import type { DialectSql, MaterializedView } from '../../src/index.js';

type OrderEvent =
  | { type: 'OrderPlaced'; data: { orderId: string; total: number } }
  | { type: 'OrderCancelled'; data: { orderId: string } };

const monthly: MaterializedView = {
  name: 'monthly',
  query: {
    sqlite: "SELECT strftime('%Y-%m', at) AS month FROM orders",
    postgres:
      "SELECT to_char(DATE_TRUNC('month', at::timestamptz), 'YYYY-MM') AS month FROM orders",
  },
};

const orders = defineProjection<OrderEvent>({
  name: 'orders',
  version: 1,
  setup: [
    'CREATE TABLE orders (id TEXT PRIMARY KEY, total REAL, at TEXT)',
    {
      sqlite: 'CREATE TABLE lines (id INTEGER PRIMARY KEY)',
      postgres: 'CREATE TABLE lines (id SERIAL PRIMARY KEY)',
    },
  ],
  views: [
    { sqlite: 'CREATE VIEW v AS SELECT 1 AS one', postgres: 'CREATE VIEW v AS SELECT 1 AS one' },
  ],
  materializedViews: [monthly],
  on: {
    OrderPlaced: (event) => {
      expectTypeOf(event.data).toEqualTypeOf<{ orderId: string; total: number }>();
      return {
        sql: {
          sqlite: 'INSERT OR IGNORE INTO orders (id, total) VALUES (:id, :total)',
          postgres: 'INSERT INTO orders (id, total) VALUES (:id, :total) ON CONFLICT DO NOTHING',
        },
        params: { id: event.data.orderId, total: event.data.total },
      };
    },
    // @ts-expect-error: still typed by event: OrderCancelled has no total
    OrderCancelled: (event) => ({ sql: 'DELETE FROM orders', params: [event.data.total] }),
  },
});

defineProjection<OrderEvent>({
  name: 'bad',
  version: 1,
  // @ts-expect-error: a per-dialect text needs both dialects
  setup: [{ sqlite: 'CREATE TABLE t (k)' }],
  on: {},
});

describe('per-dialect SQL in the authoring API', () => {
  it('keeps the projection as the data it was given', () => {
    expectTypeOf<DialectSql>().toEqualTypeOf<
      string | { readonly sqlite: string; readonly postgres: string }
    >();
    expect(orders.materializedViews).toEqual([monthly]);
  });
});
