import pg from 'pg';
import { CONNECT_TIMEOUT_MS, describePostgresUrl } from './connection.js';
import { translatePgError } from './errors.js';

/**
 * Drops schemas of the database at `url` with everything in them: the event store's
 * (`eventlite`) and the read models' for `reset`. The caller recreates the store.
 */
export async function dropPostgresSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const target = describePostgresUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect();
    await client.query('BEGIN');
    for (const schema of schemas) {
      await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    }
    await client.query('COMMIT');
  } catch (error) {
    throw translatePgError(error, target);
  } finally {
    await client.end().catch(() => {});
  }
}
