// The runner and the query side: src/cli reaches projections only through this file.
export { DEFAULT_BATCH_SIZE, catchUpProjection, type Progress, type Target } from './catch-up.js';
export { definitionHashes, staleReason } from './definition.js';
export { followProjections, type FollowOptions } from './follow.js';
export { parseQueryParam, runQuery, type QueryParams, type QueryResult } from './query.js';
export { hasProjectionTables, openReadOnly, openReadOnlyIfExists } from './read-only.js';
export {
  READ_DB_APPLICATION_ID,
  READ_SCHEMA_VERSION,
  noReadDatabase,
  openReadDatabase,
  readDbIsStore,
  type ReadDbLocation,
} from './read-schema.js';
export { readProjectionRows, type ProjectionRow } from './registry.js';
export { runProjections, type RunOptions, type RunResult } from './runner.js';
export { runProjectionCase } from './spec-runner.js';
export { projectionStates, type ProjectionState, type ProjectionStatus } from './status.js';
export { listReadTables, type ReadTable } from './tables.js';
export { waitForProjections, type WaitOptions } from './wait.js';
export { checkCheckpoints, recordedLag, type RecordedLag } from './health.js';
