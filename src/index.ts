// The library entry: what a domain module imports (`import { defineDomain } from 'eventlite'`)
// and what a program embedding the store uses. Never exports the CLI.
export * from './core/decider.js';
export * from './core/domain.js';
export * from './core/errors.js';
export type { JsonObject, NewEvent, RecordedEvent } from './core/events.js';
export { type ExpectedVersion } from './core/expected-version.js';
export * from './core/projection.js';
export * from './store/index.js';
export {
  followProjections,
  openReadDatabase,
  projectionStates,
  runProjections,
  runQuery,
  waitForProjections,
  type FollowOptions as FollowProjectionsOptions,
  type ProjectionState,
  type ProjectionStatus,
  type QueryResult,
  type RunOptions as RunProjectionsOptions,
  type WaitOptions as WaitForProjectionsOptions,
} from './projections/index.js';
