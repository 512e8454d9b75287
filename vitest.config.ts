import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn many processes; two cores is what CI has.
    maxWorkers: 2,
    // dist/ built once for the spawned-binary tests; one PostgreSQL server for the run
    // (EVENTLITE_TEST_PG_URL, or a throw-away cluster).
    globalSetup: ['test/setup/build.ts', 'test/setup/postgres.ts'],
  },
});
