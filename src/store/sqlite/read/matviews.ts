import {
  MaterializedViewError,
  materializedViewQuery,
  type MaterializedView,
} from '../../../core/projection.js';
import type { OwnedObject } from './registry.js';
import { type Db, prepared, quoteIdentifier } from '../statements.js';

// SQLite has no materialized views. A projection's materialized view is a table made from its
// query (`CREATE TABLE … AS SELECT`), which takes the query's column names, and refilled from it
// inside the transaction of every batch that ran statements. The bookkeeping records it as a
// 'materialized view', which is how `tables` tells it from the projection's own tables.

export const MATERIALIZED_VIEW = 'materialized view';

/** Makes each view's table and fills it from its query (empty tables give an empty one). */
export function createMaterializedViews(db: Db, views: readonly MaterializedView[]): void {
  for (const view of views) {
    db.exec(
      `CREATE TABLE ${quoteIdentifier(view.name)} AS ${materializedViewQuery(view, 'sqlite')}`,
    );
  }
}

/**
 * Empties each view's table and fills it again from its query, inside whatever transaction is
 * open: readers see the old rows or the new ones. Throws the SQLite error and the view's name.
 */
export function refillMaterializedViews(db: Db, views: readonly MaterializedView[]): void {
  for (const view of views) {
    const table = quoteIdentifier(view.name);
    try {
      prepared(db, `DELETE FROM ${table}`).run();
      prepared(db, `INSERT INTO ${table} ${materializedViewQuery(view, 'sqlite')}`).run();
    } catch (error) {
      throw new MaterializedViewError(view.name, error);
    }
  }
}

/** The objects found after setup, with the materialized views' tables marked as such. */
export function markMaterializedViews(
  objects: readonly OwnedObject[],
  views: readonly MaterializedView[] = [],
): OwnedObject[] {
  const names = new Set(views.map((view) => view.name));
  return objects.map(({ name, type }) => ({
    name,
    type: type === 'table' && names.has(name) ? MATERIALIZED_VIEW : type,
  }));
}
