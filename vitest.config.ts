import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Three tiers by what a test needs besides the sources (README "Tests" says which to run when):
// - unit: nothing. Pure core, adapters on SQLite files, the CLI in process. `npm run test:unit`.
// - postgres: the PostgreSQL server of the run (both backends, in process), not dist/.
// - binary: dist/ built, because it spawns bin/eventlite.js or imports the package (and the
//   server, as most of these run on both backends). Every test file not listed below lands
//   here, so a new test always has what it might need; list it above to run it without.
//
// `isolate: false` (unit and postgres tiers): the files of a worker share one module graph instead of each
// importing the sources, commander, pg, jiti and TypeScript afresh, which cost more than the
// tests themselves. Nothing a test file changes outlives it (each restores the environment it
// sets, and the sources keep no state between runs of the CLI: each domain load compiles
// afresh), so the sharing changes no result, only the time.

/** Folders whose tests need neither, but for NOT_UNIT. */
const UNIT_FOLDERS = [
  'test/core',
  'test/app',
  'test/authoring',
  'test/domain',
  'test/projections',
  'test/store',
  'test/lint',
  'test/ui',
];

/** Files inside UNIT_FOLDERS that need the build or the server after all. */
const NOT_UNIT = [
  'test/authoring/package-exports.test.ts',
  'test/domain/load-isolation.test.ts',
  'test/domain/transform-cache.test.ts',
  'test/projections/runner.test.ts',
];

const UNIT_FILES = [
  'test/cli/diagram-formats.test.ts',
  'test/cli/docs.test.ts',
  'test/cli/domain-load-errors.test.ts',
  'test/cli/fd-stream.test.ts',
  'test/cli/missing-folder.test.ts',
  'test/cli/spec-messages.test.ts',
  'test/cli/spec-reports.test.ts',
  'test/cli/style.test.ts',
  'test/conformance/postgres-read-store-sql.test.ts',
  'test/conformance/sqlite-event-store.test.ts',
  'test/conformance/sqlite-read-store.test.ts',
];

const POSTGRES = [
  'test/cli/check.test.ts',
  'test/cli/clock-range.test.ts',
  'test/cli/diagram.test.ts',
  'test/cli/domain-projection-specs.test.ts',
  'test/cli/domain-replay.test.ts',
  'test/cli/exec-file.test.ts',
  'test/cli/failure-output.test.ts',
  'test/cli/init-switch.test.ts',
  'test/cli/init-symlinks.test.ts',
  'test/cli/locations.test.ts',
  'test/cli/postgres-replica.test.ts',
  'test/cli/postgres-socket.test.ts',
  'test/cli/postgres.test.ts',
  'test/cli/projections-failure.test.ts',
  'test/cli/projections-run-failures.test.ts',
  'test/cli/query-messages.test.ts',
  'test/cli/query-readonly.test.ts',
  'test/cli/replay-resume.test.ts',
  'test/cli/replay-step.test.ts',
  'test/cli/reset-drop.test.ts',
  'test/cli/reset-postgres.test.ts',
  'test/cli/scenario-time.test.ts',
  'test/cli/snapshots.test.ts',
  'test/cli/spec-given.test.ts',
  'test/cli/table-output.test.ts',
  'test/conformance/orders-matview.test.ts',
  'test/conformance/postgres-append.test.ts',
  'test/conformance/postgres-import.test.ts',
  'test/conformance/postgres-read-store.test.ts',
  'test/conformance/read-store-matview.test.ts',
  'test/projections/runner.test.ts',
  'test/faults/failed-commands.test.ts',
  'test/models/model-store.test.ts',
  'test/faults/read-model-origin.test.ts',
  'test/hostile/virtual-tables.test.ts',
];

function testFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(folder, file));
}

const UNIT = [
  ...UNIT_FOLDERS.flatMap(testFiles).filter((file) => !NOT_UNIT.includes(file)),
  ...UNIT_FILES,
];
const BUILD = 'test/setup/build.ts';
const SERVER = 'test/setup/postgres.ts';

function tier(
  name: string,
  include: string[],
  exclude: string[],
  globalSetup: string[],
  isolate = true,
): TestProjectInlineConfiguration {
  return { extends: true, test: { name, include, exclude, globalSetup, isolate } };
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn many processes; two cores is what CI has.
    maxWorkers: 2,
    projects: [
      tier('unit', UNIT, [], [], false),
      tier('postgres', POSTGRES, [], [SERVER], false),
      tier('binary', ['test/**/*.test.ts'], [...UNIT, ...POSTGRES], [BUILD, SERVER]),
    ],
  },
});
