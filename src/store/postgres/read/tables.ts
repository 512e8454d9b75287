import type pg from 'pg';
import type { ReadColumn, ReadTable } from '../../../core/ports.js';
import { inTransaction, quote, withClient, type ReadConnection } from './connection.js';
import { withReadStoreErrors } from './errors.js';
import { readObjectOwners } from './registry.js';

const TYPES: Record<string, ReadTable['type']> = {
  r: 'table',
  p: 'table',
  f: 'table',
  v: 'view',
  m: 'materialized view',
};

/**
 * The read schema's tables, views and materialized views with their row counts and owning
 * projection, by name (bytewise, as SQLite orders them); eventlite's bookkeeping left out.
 * One snapshot: every count is taken at the same moment.
 */
export async function listReadTables(connection: ReadConnection): Promise<ReadTable[]> {
  const { target, schema, quotedSchema: s } = connection;
  return withClient(connection, (client) =>
    inTransaction(
      client,
      target,
      () =>
        withReadStoreErrors(target, async () => {
          const objects = await client.query<{ name: string; kind: string }>(
            `SELECT c.relname::text AS name, c.relkind::text AS kind
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
               AND c.relname NOT LIKE 'eventlite\\_%'
             ORDER BY c.relname COLLATE "C"`,
            [schema],
          );
          const owners = await readObjectOwners(client, s);
          const counts = await countRows(
            client,
            objects.rows.map((object) => `${s}.${quote(object.name)}`),
          );
          return objects.rows.map((object, index) => ({
            name: object.name,
            type: TYPES[object.kind] ?? 'table',
            rows: counts[index] ?? 0,
            projection: owners.get(object.name) ?? null,
          }));
        }),
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    ),
  );
}

/** The columns of the same tables and views, by table name, then in order; types as psql's \d shows them. */
export async function listReadColumns(connection: ReadConnection): Promise<ReadColumn[]> {
  const { target, schema } = connection;
  return withClient(connection, (client) =>
    withReadStoreErrors(target, async () => {
      const result = await client.query<ReadColumn>(
        `SELECT c.relname::text AS "table", a.attname::text AS "column",
                format_type(a.atttypid, a.atttypmod) AS "type", NOT a.attnotnull AS nullable
         FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm')
           AND c.relname NOT LIKE 'eventlite\\_%' AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY c.relname COLLATE "C", a.attnum`,
        [schema],
      );
      return result.rows;
    }),
  );
}

/** Row counts of many tables in few round trips: one column per table, 500 to a query. */
async function countRows(client: pg.ClientBase, tables: readonly string[]): Promise<number[]> {
  const counts: number[] = [];
  for (let start = 0; start < tables.length; start += 500) {
    const chunk = tables.slice(start, start + 500);
    const columns = chunk.map((table, index) => `(SELECT count(*) FROM ${table}) AS c${index}`);
    const result = await client.query({ text: `SELECT ${columns.join(', ')}`, rowMode: 'array' });
    counts.push(...(result.rows[0] as number[]));
  }
  return counts;
}
