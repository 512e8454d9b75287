import type { TestProject } from 'vitest/node';
import { startPostgresServer, type PostgresServer } from '../helpers/postgres-server.js';

// vitest globalSetup: one PostgreSQL server for the whole run. EVENTLITE_TEST_PG_URL names an
// existing server (its admin URL); otherwise a throw-away cluster is started and stopped here.
// A server that cannot be started fails the run: the PostgreSQL half is never skipped silently.
// Only EVENTLITE_TEST_PG=off skips it, and the PostgreSQL suites then say so.

declare module 'vitest' {
  export interface ProvidedContext {
    /** The admin URL of the test server; null when EVENTLITE_TEST_PG=off. */
    pgServerUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  if (process.env.EVENTLITE_TEST_PG === 'off') {
    project.provide('pgServerUrl', null);
    console.warn('EVENTLITE_TEST_PG=off: the PostgreSQL tests are skipped');
    return;
  }
  // A URL this setup put there for an earlier tier is not "given": that tier shares its cluster.
  const given = process.env.EVENTLITE_TEST_PG_URL;
  if (given && !(globalThis as { eventliteTestPg?: Shared }).eventliteTestPg) {
    project.provide('pgServerUrl', given);
    return;
  }
  const shared = await sharedServer();
  project.provide('pgServerUrl', shared.url);
  // Child processes spawned by tests (the CLI, concurrent writers) find the server here.
  process.env.EVENTLITE_TEST_PG_URL = shared.url;
  return shared.release;
}

interface Shared {
  server: Promise<PostgresServer>;
  users: number;
}

/**
 * The tiers of vitest.config.ts that need PostgreSQL each run this setup; they share one
 * cluster (kept on globalThis, which all setups of a run share), stopped by the last teardown.
 */
async function sharedServer(): Promise<{ url: string; release: () => Promise<void> }> {
  const holder = globalThis as { eventliteTestPg?: Shared };
  holder.eventliteTestPg ??= { server: startServer(), users: 0 };
  const shared = holder.eventliteTestPg;
  shared.users += 1;
  const server = await shared.server;
  return {
    url: server.url,
    release: async () => {
      shared.users -= 1;
      if (shared.users > 0) return;
      delete holder.eventliteTestPg;
      delete process.env.EVENTLITE_TEST_PG_URL;
      await server.stop();
    },
  };
}

async function startServer(): Promise<PostgresServer> {
  try {
    return await startPostgresServer();
  } catch (error) {
    throw new Error(
      'cannot start a PostgreSQL server for the tests: ' +
        `${(error as Error).message}\n` +
        'Set EVENTLITE_TEST_PG_URL to an existing server, or EVENTLITE_TEST_PG=off to skip the PostgreSQL tests.',
      { cause: error },
    );
  }
}
