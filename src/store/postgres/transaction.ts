import type pg from 'pg';
import type { PgTarget } from './connection.js';
import { translatePgError } from './errors.js';

// READ COMMITTED whatever the database's default: each statement after the head lock then sees
// what the writer before us committed (under REPEATABLE READ the snapshot would predate the
// lock, and a writer queued on it would fail with a serialization error instead of waiting).
export const BEGIN_WRITE = 'BEGIN ISOLATION LEVEL READ COMMITTED';

export async function connect(pool: pg.Pool, target: PgTarget): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw translatePgError(error, target);
  }
}

/** Runs `work` in one write transaction on a connection of its own; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  target: PgTarget,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await connect(pool, target);
  let broken = false;
  try {
    await client.query(BEGIN_WRITE);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is thrown away, not handed to the next caller.
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw translatePgError(error, target);
  } finally {
    client.release(broken);
  }
}
