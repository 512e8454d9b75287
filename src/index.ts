// The library entry: what a domain module imports (`import { defineDomain } from 'eventlite'`)
// and what a program embedding eventlite calls. The authoring API, the error family, the use
// cases and the types they speak; never the CLI, never an adapter's internals.
export * from './core/authoring.js';
export type { JsonObject, NewEvent, RecordedEvent } from './core/events.js';
export type { ExpectedVersion } from './core/expected-version.js';
export type { Dialect, DialectSql, PerDialectSql } from './core/dialect.js';
export type {
  MaterializedView,
  Projection,
  ProjectionHandler,
  SqlStatement,
} from './core/projection.js';
export type {
  AppendResult,
  Check,
  EventStore,
  ImportSummary,
  QueryParams,
  QueryResult,
  ReadStore,
  ReadTable,
  Snapshot,
  StoreCounts,
  StreamSummary,
} from './core/ports.js';
export { eventJsonLine } from './core/recorded-event.js';
export {
  CAUGHT_UP,
  appendEvents,
  executeCommand,
  exportEvents,
  followLog,
  followProjections,
  importEvents,
  listProjections,
  listStreams,
  listEventTypes,
  listTables,
  loadDomain,
  openEventStore,
  openReadStore,
  readLogEvents,
  readStreamEvents,
  rebuildProjections,
  replayLines,
  runProjections,
  runQuery,
  runSpecs,
  storeStatus,
  streamState,
  verifyStore,
  waitForProjections,
  type AppContext,
  type CaseResult,
  type EventTypeRow,
  type ExecuteOptions,
  type ExecuteResult,
  type Locations,
  type ProjectionState,
  type ReplayStep,
  type RunProjectionsOptions,
  type StreamState,
} from './app/index.js';
