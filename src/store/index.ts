export { appendToStream, type AppendOptions, type AppendResult } from './append.js';
export {
  beginImport,
  type ImportedEvent,
  type ImportSession,
  type ImportSummary,
} from './import.js';
export {
  openDatabase,
  openReadOnlyDatabase,
  openScratchDatabase,
  openStore,
  DEFAULT_BUSY_TIMEOUT_MS,
  type Db,
  type OpenOptions,
} from './open.js';
export {
  CAUGHT_UP,
  followLog,
  headPosition,
  readLog,
  readStream,
  streamVersion,
  type FollowOptions,
  type ReadLogOptions,
  type ReadStreamOptions,
} from './read.js';
export { STORE_SCHEMA_VERSION, migrateSchema, type SchemaSpec } from './schema.js';
export { translateSqliteError, withStoreErrors } from './sqlite-errors.js';
export { formatEventJson, toRecordedEvent, type StoredEvent } from './stored-event.js';
export { countStore, listStreams, type StoreCounts, type StreamSummary } from './streams.js';
export { verifyStore, type Check } from './verify.js';
