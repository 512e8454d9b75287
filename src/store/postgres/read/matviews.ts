import type pg from 'pg';
import { materializedViewQuery, type MaterializedView } from '../../../core/projection.js';
import { quote } from './connection.js';

// A projection's materialized views are PostgreSQL's own: made with CREATE MATERIALIZED VIEW
// after the setup, and refreshed by REFRESH MATERIALIZED VIEW inside the transaction of every
// batch that ran statements, so that they are never behind the checkpoint. A plain REFRESH
// (not CONCURRENTLY, which needs a unique index) locks the view against readers until the
// batch commits: a query waits for the refresh and then sees the new rows.

/** Makes each view in the schema on the search path; it is filled from its query at once. */
export async function createMaterializedViews(
  client: pg.ClientBase,
  views: readonly MaterializedView[],
): Promise<void> {
  for (const view of views) {
    await client.query(
      `CREATE MATERIALIZED VIEW ${quote(view.name)} AS ${materializedViewQuery(view, 'postgres')}`,
    );
  }
}

/** The statement that refreshes `view` in schema `s` (quoted). */
export function refreshSql(s: string, view: MaterializedView): string {
  return `REFRESH MATERIALIZED VIEW ${s}.${quote(view.name)}`;
}
