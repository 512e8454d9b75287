import pg from 'pg';
import { NotFoundError, StoreError } from '../../core/errors.js';
import type { EventStore } from '../../core/ports.js';
import {
  CONNECT_TIMEOUT_MS,
  createPool,
  describePostgresUrl,
  urlForDatabase,
  type PgTarget,
} from './connection.js';
import { translatePgError } from './errors.js';
import { migratePgSchema } from './schema.js';
import { PostgresEventStore } from './store.js';

/**
 * Opens the event store in the PostgreSQL database at `url`, creating or migrating its schema
 * as needed. With `create` (the write commands, `init`), a missing database is created when
 * the user may; without it, a database that holds no store is NotFound.
 */
export async function openPostgresEventStore(
  url: string,
  options: { create: boolean; readOnly?: boolean },
): Promise<EventStore> {
  const target = describePostgresUrl(url);
  const pool = createPool(url, { readOnly: options.readOnly === true });
  try {
    const created = await prepareDatabase(pool, url, target, options);
    return new PostgresEventStore(pool, target, created);
  } catch (error) {
    await pool.end().catch(() => {});
    throw translatePgError(error, target);
  }
}

async function prepareDatabase(
  pool: pg.Pool,
  url: string,
  target: PgTarget,
  options: { create: boolean },
): Promise<boolean> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    const missing = translatePgError(error, target);
    if (!(missing instanceof NotFoundError) || !options.create) throw missing;
    await createDatabase(url, target);
    client = await pool.connect();
  }
  try {
    return await migratePgSchema(client, target, options);
  } finally {
    client.release();
  }
}

/** CREATE DATABASE through the server's maintenance database, with the same credentials. */
async function createDatabase(url: string, target: PgTarget): Promise<void> {
  const admin = new pg.Client({
    connectionString: urlForDatabase(url, 'postgres'),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE ${pg.escapeIdentifier(target.database)} ENCODING 'UTF8' TEMPLATE template0`,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Another `init` created it first: fine.
    if (code === '42P04') return;
    if (code === '42501') {
      throw new StoreError(
        `no database "${target.database}" at ${target.server}, and user "${target.user}" may not create one (create it with createdb ${target.database})`,
      );
    }
    throw error;
  } finally {
    await admin.end().catch(() => {});
  }
}
