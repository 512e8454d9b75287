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
