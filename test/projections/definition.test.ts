import { describe, expect, it } from 'vitest';
import type { Projection } from '../../src/core/projection.js';
import { definitionHashes, staleReason } from '../../src/projections/definition.js';
import { projectionRowFor as rowFor } from '../helpers/projection-row.js';

const projection: Projection = {
  name: 'totals',
  version: 1,
  setup: ['CREATE TABLE totals (k TEXT PRIMARY KEY, n INTEGER)'],
  on: { Counted: (e) => ({ sql: 'UPDATE totals SET n = n + 1 WHERE k = ?', params: [e.stream] }) },
};

describe('definition hashes and staleness', () => {
  it('are stable for the same definition and independent of handler order', () => {
    const reordered: Projection = { ...projection, on: { ...projection.on } };
    expect(definitionHashes(reordered)).toEqual(definitionHashes(projection));
    expect(staleReason(rowFor(projection), projection)).toBeUndefined();
  });

  it('name a version bump, a schema change and a handler change', () => {
    const row = rowFor(projection);
    expect(staleReason(row, { ...projection, version: 2 })).toBe('version 1 → 2');
    expect(staleReason(row, { ...projection, views: ['CREATE VIEW v AS SELECT 1'] })).toBe(
      'its setup or views changed',
    );
    const changedHandler = { ...projection, on: { Counted: () => undefined } };
    expect(staleReason(row, changedHandler)).toBe('its handlers changed');
  });

  it('let a handler fix after a failed catch-up continue, but not after a failed rebuild', () => {
    const changedHandler = { ...projection, on: { Counted: () => undefined } };
    const failed = rowFor(projection, { status: 'failed', failedDuring: 'catch-up' });
    expect(staleReason(failed, changedHandler)).toBeUndefined();
    const failedRebuild = rowFor(projection, { status: 'failed', failedDuring: 'rebuild' });
    expect(staleReason(failedRebuild, changedHandler)).toBe('its handlers changed');
    // A changed table shape is never patched over, failure or not.
    expect(staleReason(failed, { ...projection, setup: ['CREATE TABLE totals (k TEXT)'] })).toBe(
      'its setup or views changed',
    );
  });
});
