// The use cases, one module each: what the CLI and a library user call. Each takes an
// AppContext (stores, domain, clock, signal) and returns data; none prints or exits.
export { clockOf, domainOf, type AppContext, type ReadContext } from './context.js';
export {
  defaultReadDb,
  openEventStore,
  openReadStore,
  readModelsBytes,
  readModelsInStore,
  shownLocation,
  type Locations,
  type StoreMode,
} from './open.js';
export { appendEvents } from './append.js';
export { importEvents, type ImportOptions } from './import.js';
export { exportEvents, readStreamEvents } from './read.js';
export { CAUGHT_UP, followLog, readLogEvents, type FollowOptions } from './log.js';
export { listStreams } from './streams.js';
export { listEventTypes, type EventTypeRow } from './types.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  executeCommand,
  type ExecStep,
  type ExecuteOptions,
  type ExecuteResult,
} from './exec.js';
export { executeCommands, type ExecuteManyOptions } from './exec-many.js';
export { streamState, type StreamState } from './state.js';
export { replayLines, type ReplayOptions, type ReplayStep } from './replay.js';
export {
  followProjections,
  rebuildProjections,
  runProjections,
  type RunProjectionsOptions,
} from './projections-run.js';
export { waitForProjections, type WaitOptions } from './projections-wait.js';
export { listProjections } from './projections-list.js';
export { selectProjections } from './select-projections.js';
export { listTables, runQuery } from './query.js';
export { storeStatus, verifyStore, type RecordedLag, type StoreStatus } from './status.js';
export { runSpecs } from './test-specs.js';
export type { CaseResult } from './specs/spec-case.js';
export { initStore } from './init.js';
export { EXAMPLES } from './examples.js';
export { correlationIdOf } from './correlation.js';
export { sleep } from './sleep.js';
export type { Line } from './lines.js';
export { loadDomain, type LoadDomainOptions } from './load-domain.js';
export type {
  Progress,
  ProjectionState,
  ProjectionStatus,
  RunResult,
} from '../projections/index.js';
