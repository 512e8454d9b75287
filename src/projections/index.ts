// The projection runner: batches, checkpoints, rebuilds and staleness, over the two ports.
export {
  DEFAULT_BATCH_SIZE,
  catchUpProjection,
  type CatchUpOptions,
  type EventTrace,
  type Progress,
  type Stores,
} from './catch-up.js';
export { definitionHashes, staleReason } from './definition.js';
export { keepUp } from './keep-up.js';
export { lifecycleStaleReason, readLifecycleAudits } from './lifecycle.js';
export { runProjections, type RunOptions, type RunResult } from './runner.js';
export { projectionStates, type ProjectionState, type ProjectionStatus } from './status.js';
export { retrySetAside, type RetryOptions, type RetryResult } from './retry.js';
export { hasSetAside } from './definition.js';
