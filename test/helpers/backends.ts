import { inject } from 'vitest';
import { freshPgDatabase } from './postgres.js';

// The two backends a suite runs on: the same test, once on a SQLite file and once on a fresh
// PostgreSQL database of the throw-away test server (test/setup/postgres.ts).

export interface StoreUnderTest {
  /** How the store is named on the command line (`--db`), as messages show it. */
  db: string;
  /** The environment that points the CLI at this store (EVENTLITE_DB). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A new, empty store; SQLite's is `eventlite.db` in the test's working folder. */
  freshStore(): Promise<StoreUnderTest>;
  /**
   * Another empty store beside the first, for a test that needs two: SQLite's is the file
   * `name` in the test's working folder, PostgreSQL's another fresh database.
   */
  otherStore(name: string): Promise<StoreUnderTest>;
}

const sqlite: Backend = {
  name: 'sqlite',
  freshStore: async () => ({ db: 'eventlite.db', env: {}, cleanup: async () => {} }),
  otherStore: async (name) => ({ db: name, env: { EVENTLITE_DB: name }, cleanup: async () => {} }),
};

const postgres: Backend = {
  name: 'postgres',
  async freshStore() {
    const database = await freshPgDatabase();
    return { db: database.url, env: { EVENTLITE_DB: database.url }, cleanup: database.drop };
  },
  otherStore() {
    return postgres.freshStore();
  },
};

/** SQLite, and PostgreSQL unless the run was told EVENTLITE_TEST_PG=off (and then says so). */
export function backends(): Backend[] {
  const pgOn = (inject('pgServerUrl') ?? process.env.EVENTLITE_TEST_PG_URL) != null;
  return pgOn ? [sqlite, postgres] : [sqlite];
}
