import type { TestProject } from 'vitest/node';
import { startPostgresServer } from '../helpers/postgres-server.js';

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
  const given = process.env.EVENTLITE_TEST_PG_URL;
  if (given) {
    project.provide('pgServerUrl', given);
    return;
  }
  let server;
  try {
    server = await startPostgresServer();
  } catch (error) {
    throw new Error(
      'cannot start a PostgreSQL server for the tests: ' +
        `${(error as Error).message}\n` +
        'Set EVENTLITE_TEST_PG_URL to an existing server, or EVENTLITE_TEST_PG=off to skip the PostgreSQL tests.',
      { cause: error },
    );
  }
  project.provide('pgServerUrl', server.url);
  // Child processes spawned by tests (the CLI, concurrent writers) find the server here.
  process.env.EVENTLITE_TEST_PG_URL = server.url;
  return async () => {
    delete process.env.EVENTLITE_TEST_PG_URL;
    await server.stop();
  };
}
