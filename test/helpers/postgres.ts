import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

// What a test needs of the PostgreSQL server that test/setup/postgres.ts provides.

/** The server's admin URL (a superuser, database `postgres`). */
export function pgServerUrl(): string {
  const url = inject('pgServerUrl') ?? process.env.EVENTLITE_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'no PostgreSQL server for the tests: EVENTLITE_TEST_PG=off, or test/setup/postgres.ts did not run',
    );
  }
  return url;
}

/** A new, empty database on the test server; `drop` disconnects everyone and drops it. */
export async function freshPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = pgServerUrl();
  const name = `eventlite_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, async (admin) => {
        // Not DROP … WITH (FORCE): that needs PostgreSQL 13, and EVENTLITE_TEST_PG_URL may be older.
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await dropOrphanQueryLogins(admin);
      }),
  };
}

/**
 * The logins that runners make for queries belong to the whole server: once their database is
 * gone, those with nothing granted anywhere go too (another test's live login has grants).
 */
async function dropOrphanQueryLogins(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ name: string }>(
    `SELECT rolname AS name FROM pg_roles r
     WHERE rolname LIKE 'eventlite\\_query\\_%'
       AND NOT EXISTS (SELECT 1 FROM pg_shdepend d WHERE d.refobjid = r.oid)`,
  );
  for (const { name } of rows) {
    await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(name)}`).catch(() => {});
  }
}

async function withAdmin<T>(url: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
