import { describe, expect, it } from 'vitest';
import { compareRows, markRows, type TableRows } from '../../src/app/read-models-view.js';
import { changedRows } from '../../src/app/replay-step.js';

// The marks the page highlights: what the last change inserted, changed or deleted in a table.

const table = (rows: object[]): TableRows => ({
  name: 'accounts',
  type: 'table',
  projection: 'accounts',
  count: rows.length,
  columns: ['id', 'balance'],
  rows: rows.map((row) => JSON.stringify(row)),
  truncated: false,
});

describe('markRows', () => {
  it('marks a new row inserted, a row whose key came back with other values changed, a row gone deleted', () => {
    const before = table([
      { id: 'a', balance: 1 },
      { id: 'b', balance: 2 },
      { id: 'c', balance: 3 },
    ]);
    const after = table([
      { id: 'a', balance: 1 },
      { id: 'b', balance: 5 },
      { id: 'd', balance: 4 },
    ]);
    const changes = changedRows(
      new Map([['accounts', before.rows]]),
      new Map([['accounts', after.rows]]),
    );
    expect(markRows(after, changes)).toEqual([
      { values: { id: 'a', balance: 1 } },
      { values: { id: 'b', balance: 5 }, mark: 'changed' },
      { values: { id: 'c', balance: 3 }, mark: 'deleted' },
      { values: { id: 'd', balance: 4 }, mark: 'inserted' },
    ]);
  });

  it("marks nothing for another table's changes, and one of two equal rows once", () => {
    const after = table([
      { id: 'a', balance: 1 },
      { id: 'a', balance: 1 },
    ]);
    expect(markRows(after, [{ table: 'other', change: '+', row: after.rows[0]! }])).toEqual([
      { values: { id: 'a', balance: 1 } },
      { values: { id: 'a', balance: 1 } },
    ]);
    const marked = markRows(after, [{ table: 'accounts', change: '+', row: after.rows[0]! }]);
    expect(marked.map((row) => row.mark)).toEqual(['inserted', undefined]);
  });
});

describe('compareRows', () => {
  it('orders column by column: nulls first, numbers by value, the rest by text', () => {
    const rows = [{ n: 10 }, { n: null }, { n: 9 }, { n: 'b' }, { n: 'a' }];
    expect(rows.sort(compareRows)).toEqual([
      { n: null },
      { n: 9 },
      { n: 10 },
      { n: 'a' },
      { n: 'b' },
    ]);
  });
});
