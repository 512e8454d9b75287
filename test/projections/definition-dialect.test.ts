import { describe, expect, it } from 'vitest';
import type { Projection } from '../../src/core/projection.js';
import { definitionHashes, hashDefinition, staleReason } from '../../src/projections/definition.js';
import { projectionRowFor } from '../helpers/projection-row.js';

// Per-dialect SQL and materialized views came after read models were first built: a projection
// that uses neither must hash exactly as before, or every existing read model would be rebuilt.

/** A handler whose source text is fixed, whatever the test transform makes of this file. */
const counted = Object.assign(() => undefined, { toString: () => '(e) => counted(e)' });

const plain: Projection = {
  name: 'totals',
  version: 1,
  setup: ['CREATE TABLE totals (k TEXT PRIMARY KEY, n INTEGER)'],
  views: ['CREATE VIEW big AS SELECT k FROM totals WHERE n > 9'],
  on: { Counted: counted },
};

describe('definition hashes with dialects and materialized views', () => {
  it('hash a plain-string projection exactly as eventlite did before', () => {
    // Computed with the definition.ts of commit 658ab4e.
    expect(definitionHashes(plain)).toEqual({
      definition: '68e8d66d5c77df77',
      schema: '15615c35719a1c99',
    });
    expect(hashDefinition(plain, 'abc123')).toEqual({
      definition: 'd911398c7ab41f26',
      schema: '15615c35719a1c99',
    });
    expect(definitionHashes({ ...plain, views: undefined })).toEqual({
      definition: '3ebd8c66163ecc5f',
      schema: '05a39b20745c842a',
    });
    // An empty list of materialized views is no materialized views.
    expect(definitionHashes({ ...plain, materializedViews: [] })).toEqual(definitionHashes(plain));
  });

  it('cover both texts of a per-dialect statement, whatever order its keys are in', () => {
    const sql = {
      sqlite: 'CREATE TABLE totals (k TEXT)',
      postgres: 'CREATE TABLE totals (k TEXT)',
    };
    const split: Projection = { ...plain, setup: [sql] };
    const reversed: Projection = {
      ...plain,
      setup: [{ postgres: sql.postgres, sqlite: sql.sqlite }],
    };
    expect(definitionHashes(reversed)).toEqual(definitionHashes(split));
    // Not the same as the one string they share: the shape is part of the definition.
    expect(definitionHashes(split).schema).not.toBe(
      definitionHashes({ ...plain, setup: [sql.sqlite] }).schema,
    );
    for (const changed of [
      { ...sql, sqlite: 'CREATE TABLE totals (k TEXT, n INTEGER)' },
      { ...sql, postgres: 'CREATE TABLE totals (k TEXT, n BIGINT)' },
    ]) {
      expect(definitionHashes({ ...plain, setup: [changed] }).schema).not.toBe(
        definitionHashes(split).schema,
      );
    }
  });

  it('cover materialized views: a changed name or query makes the projection stale', () => {
    const view = {
      name: 'by_k',
      query: { sqlite: 'SELECT k FROM totals', postgres: 'SELECT k FROM totals' },
    };
    const withView: Projection = { ...plain, materializedViews: [view] };
    const hashes = definitionHashes(withView);
    expect(hashes.schema).not.toBe(definitionHashes(plain).schema);
    const row = projectionRowFor(withView, { checkpoint: 3 });
    expect(staleReason(row, withView)).toBeUndefined();
    expect(staleReason(row, plain)).toBe('its setup or views changed');
    const requeried = {
      ...view,
      query: { ...view.query, postgres: 'SELECT k FROM totals WHERE n > 0' },
    };
    expect(staleReason(row, { ...plain, materializedViews: [requeried] })).toBe(
      'its setup or views changed',
    );
    expect(staleReason(row, { ...plain, materializedViews: [{ ...view, name: 'k_list' }] })).toBe(
      'its setup or views changed',
    );
  });
});
