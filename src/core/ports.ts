import type { JsonObject, NewEvent, RecordedEvent } from './events.js';
import type { ExpectedVersion } from './expected-version.js';
import type { DialectSql } from './dialect.js';
import type { DeletedStream } from './lifecycle.js';
import type { PersonalFields } from './personal-data.js';
import type { SubjectKey } from './sealing.js';
import type { MaterializedView, SqlStatement } from './projection.js';
import type { SetAsideEvent, SetAsideKind, SetAsideRow } from './set-aside.js';
import type { SubscriptionStore } from './subscriptions.js';

// The two ports. Everything above them (the use cases in src/app, the projection runner)
// speaks only these interfaces; an adapter in src/store implements them for one database.
// They return promises so that a server database can stand behind them, and they work a page
// or a batch at a time: a caller awaits once per page, never once per event.

export type Backend = 'sqlite' | 'postgres';

export interface AppendOptions {
  /** Default `any`. Ignored when the whole batch is a retry of events already stored. */
  expectedVersion?: ExpectedVersion;
  /** Stamps `recordedAt`; the edge of the system owns the clock. */
  now?: () => Date;
}

export interface AppendResult {
  stream: string;
  /** The events written by this call; empty for a retry of a stored batch. */
  events: RecordedEvent[];
  /** The stream's version after the call. */
  version: number;
  /** True when every event id was already stored in this stream and nothing was written. */
  alreadyStored: boolean;
}

export interface ReadStreamOptions {
  /** First version to return (inclusive); with `backwards`, the version to start down from. */
  from?: number;
  limit?: number;
  backwards?: boolean;
  /** Personal data as stored, sealed (for `export`); every other read opens it. */
  sealed?: boolean;
}

export interface ReadLogOptions {
  /** First position to return (inclusive). */
  from?: number;
  limit?: number;
  /** Only events of these types. */
  types?: readonly string[];
  /**
   * A hint for readers that seldom need an event's stream, id or metadata (the projection
   * runner): an adapter may leave them out of each page and fetch them for the whole page when
   * first asked (see LeanPage). The events read the same either way. The PostgreSQL adapter,
   * whose fetches cannot wait inside a getter, reads them all.
   */
  lean?: boolean;
  /** Personal data as stored, sealed (for `export`); every other read opens it. */
  sealed?: boolean;
  /** Only streams of this category: the name before its first `-`, as message-db defines it. */
  category?: string;
  /** Only streams whose name starts with this (compared as text, not a pattern). */
  streamPrefix?: string;
  /** Leave out the store's own streams (names starting with `$`, see stream-names.ts). */
  withoutSystemStreams?: boolean;
  /** Only events recorded at or after this instant (ISO 8601 with a zone). */
  since?: string;
  /**
   * Only events whose metadata's `correlationId` is this, and every event whose metadata names
   * a `causationId`: the caller follows each cause to what it caused (see app/log.ts).
   */
  correlationId?: string;
}

/** One event of an export: the contract's event shape less position and version. */
export interface ImportedEvent {
  stream: string;
  type: string;
  id: string;
  data: JsonObject;
  metadata: JsonObject;
  recordedAt: string;
  /** Absent means 1. */
  schemaVersion?: number;
}

export interface ImportSummary {
  imported: number;
  /** Events whose id was already stored in the same stream: a re-import adds nothing. */
  skipped: number;
  head: number;
  /** Events of streams deleted for good here, left out (present only when some were). */
  leftOut?: number;
  /** Subject keys added (present only when some were). */
  keys?: number;
  /** Subject keys left out because this store forgot them (present only when some were). */
  forgottenKeys?: number;
}

/**
 * A whole import as one write transaction, fed a batch at a time so that the input can be
 * streamed: `add` batches, then `commit` (or `rollback` on any failure, which leaves the store
 * as it was).
 */
export interface ImportSession {
  add(events: readonly ImportedEvent[]): Promise<void>;
  /** Subject keys that travel with an export (`import --keys`), in the same transaction. */
  addKeys(keys: readonly SubjectKey[]): Promise<void>;
  commit(): Promise<ImportSummary>;
  rollback(): Promise<void>;
}

export interface StreamSummary {
  stream: string;
  version: number;
  firstRecordedAt: string;
  lastRecordedAt: string;
}

export interface ListStreamsOptions {
  prefix?: string;
  limit?: number;
}

/** The stored events of one type at one schema version: how many, and when. */
export interface EventTypeCount {
  type: string;
  schemaVersion: number;
  events: number;
  firstRecordedAt: string;
  lastRecordedAt: string;
}

export interface StoreCounts {
  head: number;
  streams: number;
  events: number;
}

/** One integrity check; `detail` names what was found when it fails. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** Where the store lives and what it takes up, for `status`. */
export interface StoreFootprint {
  schemaVersion: number;
  bytes: number;
}

/**
 * A decider's state of one stream as of a version, stored so that a command folds only the
 * events after it. Derived data, never part of the log: deleting every snapshot changes no
 * result, only how many events the next command reads.
 */
export interface Snapshot {
  stream: string;
  /** Whose state it is: the decider's name, version and definition hash (see snapshot-key.ts). */
  decider: string;
  /** The version of the last event folded into it. */
  version: number;
  /** The id of that event: a snapshot whose stream holds another event there is never read. */
  eventId: string;
  /** The state as JSON text. */
  state: string;
}

export interface ReadSnapshotOptions {
  /** The newest snapshot at or below this version (default: the newest). */
  atMost?: number;
}

/** When the audit event of a lifecycle command is recorded, and what it knows of the domain. */
export interface LifecycleOptions {
  now?: () => Date;
  /**
   * How long the purge after the commit waits for older transactions of the database that
   * can still see what was removed (PostgreSQL; see docs/lifecycle.md). Default 10 s.
   */
  purgeWaitMs?: number;
}

export interface RedactOptions extends LifecycleOptions {
  /** Paths of data fields (`owner`, `address.street`). */
  fields: readonly string[];
  /** Only these versions (default: every event of the stream). */
  versions?: readonly number[];
}

export interface ForgetOptions extends LifecycleOptions {
  /**
   * The domain's personal-data declarations, when the domain is at hand: the subject's
   * declared fields that were stored unsealed (by `append` or `import`) are replaced too.
   */
  declared?: ReadonlyMap<string, PersonalFields>;
}

/** What a lifecycle command did: its audit event, committed with the change. */
export interface LifecycleResult {
  audit: RecordedEvent;
  /**
   * Why the bytes of what was removed may still be in the database's files, when they may:
   * the committed change stands either way (see docs/lifecycle.md).
   */
  purgeWarning?: string;
}

/**
 * Wakes a follower when another connection may have committed: a PostgreSQL notification, a
 * change to a SQLite file. It may wake for nothing, and should its channel fail it wakes only
 * on the timeout, so a follower still checks every so often by itself.
 */
export interface ChangeWatch {
  /**
   * Resolves at the first change since the previous call (at once if one came meanwhile),
   * after `timeoutMs`, or when `signal` aborts, whichever is first. Never rejects.
   */
  next(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface EventStore {
  readonly backend: Backend;
  /** For messages: a file path, or a server URL without its password. */
  readonly location: string;
  /**
   * Appends a batch to one stream, all or nothing; the expected version is checked under the
   * write lock. Re-sending a batch whose ids are all stored in this stream is a no-op.
   */
  append(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** A stream's events, a page at a time. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent[]>;
  /** The global log in position order, a page at a time. */
  readLog(options?: ReadLogOptions): AsyncIterable<RecordedEvent[]>;
  /** 0 for a stream that does not exist. */
  streamVersion(stream: string): Promise<number>;
  head(): Promise<number>;
  /** The id stamped when the store was created: read models record which store they come from. */
  storeId(): Promise<string>;
  /**
   * A value that changes whenever some connection commits: a cheap poll for new events. Fails
   * with StoreError when the store was deleted or made anew since it was opened (a `reset`).
   */
  changeMarker(): Promise<number | string>;
  /** Wakes a follower of the log when some connection may have committed (see ChangeWatch). */
  watchChanges(): Promise<ChangeWatch>;
  /** The events at these positions, in position order; a position with no event is left out. */
  readPositions(positions: readonly number[]): Promise<RecordedEvent[]>;
  /** The subscriptions' checkpoints and set-aside events, kept in the store. */
  readonly subscriptions: SubscriptionStore;
  beginImport(): Promise<ImportSession>;
  /** Streams in name order, a page at a time. */
  listStreams(options?: ListStreamsOptions): AsyncIterable<StreamSummary[]>;
  /** Every stored event type at every schema version it is stored in, by type and version. */
  eventTypes(): Promise<EventTypeCount[]>;
  counts(): Promise<StoreCounts>;
  verify(): Promise<Check[]>;
  footprint(): Promise<StoreFootprint>;
  /**
   * The newest snapshot of `stream` taken for `decider` (at or below `atMost`), whose event is
   * still the stream's event at that version; undefined when there is none.
   */
  readSnapshot(
    stream: string,
    decider: string,
    options?: ReadSnapshotOptions,
  ): Promise<Snapshot | undefined>;
  /**
   * Stores a snapshot in a transaction of its own, never the append's: a crash while writing
   * one loses no event. Writing one again at the same version replaces it.
   */
  writeSnapshot(snapshot: Snapshot, options?: { now?: () => Date }): Promise<void>;
  /** How `stream` was deleted, or undefined when it was not. */
  deletedStream(stream: string): Promise<DeletedStream | undefined>;
  /**
   * One transaction each (docs/lifecycle.md): the change, its snapshots deleted, its audit
   * event appended to the system stream. A missing or deleted target is NotFound.
   */
  deleteStream(
    stream: string,
    options: LifecycleOptions & { hard: boolean },
  ): Promise<LifecycleResult>;
  restoreStream(stream: string, options?: LifecycleOptions): Promise<LifecycleResult>;
  redactEvents(stream: string, options: RedactOptions): Promise<LifecycleResult>;
  forgetSubject(subject: string, options?: ForgetOptions): Promise<LifecycleResult>;
  /** Each subject's key, made (in a transaction of its own) for a subject that has none. */
  subjectKeys(
    subjects: readonly string[],
    options?: LifecycleOptions,
  ): Promise<Map<string, SubjectKey>>;
  /** The keys of these ids that the store holds (for `export --keys`). */
  readKeys(keyIds: readonly string[]): Promise<SubjectKey[]>;
  /**
   * Removes the store again if this open created it and it still holds no event, so that a
   * failing command leaves nothing behind. Optional: a SQLite file is removed after closing.
   */
  discardIfNew?(): Promise<void>;
  close(): Promise<void>;
}

/** A projection's bookkeeping as the read store keeps it. */
export interface ProjectionRow {
  name: string;
  version: number;
  /** setup, views and what the handlers are made of */
  definitionHash: string;
  /** setup and views only: what the tables look like */
  schemaHash: string;
  checkpoint: number;
  status: 'ok' | 'failed';
  error: string | null;
  failedPosition: number | null;
  failedStream: string | null;
  failedType: string | null;
  /** 'setup': its setup or views failed before any table of it existed (first run). */
  failedDuring: 'catch-up' | 'rebuild' | 'setup' | null;
  /** The process rebuilding it, while one that is still alive is; otherwise null. */
  rebuildingPid: number | null;
  rebuildingSince: string | null;
  lastRunAt: string | null;
  /** Events set aside by `onError: 'park'` and `'skip'`, still on record. */
  parked: number;
  skipped: number;
}

/** What a read store needs of a projection to set it up or swap it in. */
export interface ProjectionSchema {
  name: string;
  version: number;
  definitionHash: string;
  schemaHash: string;
  /** Run in this order: setup, then the materialized views, then views. */
  setup: readonly DialectSql[];
  views: readonly DialectSql[];
  materializedViews?: readonly MaterializedView[];
}

/** A run of events and the checkpoint move they make, `from` → `to` (positions). */
export interface ProjectionBatch {
  from: number;
  to: number;
  events: readonly RecordedEvent[];
  /** The projection's statements for one event; the store runs them in the batch's transaction. */
  statementsFor(event: RecordedEvent): readonly SqlStatement[];
  /**
   * The projection's materialized views. applyBatch refreshes them in the batch's transaction,
   * after its statements, when at least one statement ran; a rebuild refreshes them once, in
   * its scratch tables, before it swaps them in.
   */
  materializedViews?: readonly MaterializedView[];
  /**
   * Told of each statement once it ran (its SQL in the read store's dialect), with the rows it
   * changed (for `--trace`). The batch
   * may still roll back: the caller keeps what it hears until the batch has committed.
   */
  onStatement?(event: RecordedEvent, statement: SqlStatement, rows: number): void;
  /**
   * Events of the batch's range that are not in `events` because the handler failed on them
   * (or a parked event of their stream waits before them): recorded in the batch's transaction.
   */
  setAside?: readonly SetAsideEvent[];
}

/** Set-aside events applied again (`projections retry`), with no checkpoint move. */
export type RetryBatch = Omit<ProjectionBatch, 'from' | 'to'>;

/** What the batch's writer believes the projection's row says; anything else is a lost race. */
export interface BatchGuard {
  version: number;
  definitionHash: string;
  at: string;
}

/** What a projection failed on: an event, or (all three null) a statement of its setup. */
export interface ProjectionFailure {
  position: number | null;
  stream: string | null;
  type: string | null;
  error: string;
  during: 'catch-up' | 'rebuild' | 'setup';
}

/**
 * A handler, or the SQL it issued, failed on `event`: the projection's own problem, unlike a
 * full disk or a lock timeout, which a read store reports as an EventliteError.
 */
export class HandlerFailure extends Error {
  constructor(
    readonly event: RecordedEvent,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

/**
 * A statement of a projection's setup or views failed (a syntax error, say): the projection's
 * own problem, named with the statement. A full disk or a lock timeout is still an
 * EventliteError of the store.
 */
export class SetupFailure extends Error {
  constructor(
    readonly statement: string,
    readonly failure: unknown,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

/** A rebuild's tables, built apart from the live ones and swapped in whole. */
export interface ScratchBuild {
  /** Applies a batch to the scratch tables; throws HandlerFailure. */
  apply(batch: ProjectionBatch): Promise<void>;
  /**
   * Replaces the live tables with the scratch ones in one short transaction, and the
   * projection's set-aside events with those the build set aside.
   */
  swapIn(checkpoint: number, at: string, setAside?: readonly SetAsideEvent[]): Promise<void>;
  /** Drops the scratch tables and clears the rebuilding mark; the live tables stay. */
  abandon(): Promise<void>;
}

export type QueryParams = Record<string, string | number>;

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * A query's result a page at a time. Iterate `pages` to its end or break out of the loop:
 * either way the statement (a SQLite cursor, a PostgreSQL transaction) is let go.
 */
export interface QueryPages {
  columns: string[];
  pages: AsyncIterable<Record<string, unknown>[]>;
}

/** Rows per page of `queryPages` unless asked otherwise. */
export const QUERY_PAGE_SIZE = 1000;

export type ReadTable = {
  name: string;
  /** 'materialized view': a projection's materializedViews entry, on either backend. */
  type: 'table' | 'view' | 'materialized view';
  rows: number;
  projection: string | null;
};

/** A column of a read table or view, as `tables --columns` shows it. */
export type ReadColumn = {
  table: string;
  column: string;
  /** The type as the backend names it (SQLite: as declared, '' for none; PostgreSQL's format_type). */
  type: string;
  /** False when the backend refuses NULL there (NOT NULL, a PostgreSQL primary key). */
  nullable: boolean;
};

export interface ReadStore {
  /** For messages: a file path, or a server URL without its password. */
  readonly location: string;
  /** Every projection's row (empty before any projection ran here). */
  projectionRows(): Promise<Map<string, ProjectionRow>>;
  projectionRow(name: string): Promise<ProjectionRow | undefined>;
  /**
   * Runs setup, makes the materialized views, runs views, and writes the row at checkpoint 0;
   * a no-op if the row exists.
   */
  createProjection(schema: ProjectionSchema, at: string): Promise<void>;
  /**
   * Applies a batch and moves the checkpoint from `batch.from` to `batch.to` in ONE
   * transaction, the move a compare-and-set: false (and nothing applied) when another runner
   * moved the checkpoint first. Throws HandlerFailure after rolling back (a materialized view
   * whose refresh failed is pinned on the last event that ran statements).
   */
  applyBatch(name: string, batch: ProjectionBatch, guard: BatchGuard): Promise<boolean>;
  markFailed(name: string, failure: ProjectionFailure, at: string): Promise<void>;
  /**
   * A first run's setup failed (nothing of it was kept): writes its row as failed during
   * 'setup' at checkpoint 0, so that it lists as failed; the next run drops the row and sets
   * the projection up afresh.
   */
  markSetupFailed(schema: ProjectionSchema, failure: ProjectionFailure, at: string): Promise<void>;
  /**
   * Drops a projection's tables, views and row. False when there was no row. Refused (a
   * StoreBusyError) while a rebuild of it is alive.
   */
  dropProjection(name: string): Promise<boolean>;
  /** Adopts a fixed handler after a failure: same tables, new code. */
  adoptDefinitionHash(name: string, definitionHash: string): Promise<void>;
  /** Marks the projection as rebuilding and sets up scratch tables from its setup. */
  startRebuild(schema: ProjectionSchema, at: string): Promise<ScratchBuild>;
  /** The id of the store these read models were built from; undefined before any was recorded. */
  builtFrom(): Promise<string | undefined>;
  /**
   * Records `storeId` as the store these read models come from, if none is recorded yet (or,
   * with `replace`, whatever is). Returns the id recorded afterwards: another store's id when
   * a runner of another store got there first.
   */
  recordBuiltFrom(storeId: string, options?: { replace?: boolean }): Promise<string>;
  /** One read-only statement; anything that could write is refused with an InputError. */
  query(sql: string, params?: QueryParams): Promise<QueryResult>;
  /**
   * The same statement with the same refusals, its rows in pages of `pageSize` (memory stays
   * flat in the result's size). Refusals and the first page's errors come before any page.
   */
  queryPages(sql: string, params?: QueryParams, pageSize?: number): Promise<QueryPages>;
  /** User tables and views with row counts and owners; bookkeeping left out. */
  tables(): Promise<ReadTable[]>;
  /** The columns of the tables and views that `tables` lists, by table name, then in order. */
  columns(): Promise<ReadColumn[]>;
  /**
   * Read models on a read replica (a PostgreSQL hot standby that `query` reads): how far its
   * replay is behind, for messages. Undefined elsewhere.
   */
  replicaLag?(): Promise<string | undefined>;
  /** A projection's set-aside events, in position order. */
  setAsideEvents(name: string, options?: { kind?: SetAsideKind }): Promise<SetAsideRow[]>;
  /**
   * Applies set-aside events again: the batch's statements and the removal of their rows in
   * ONE transaction, except for those set aside once more (`batch.setAside`, rows updated).
   * False (nothing applied) when the projection's version or definition is not the guard's.
   * Throws HandlerFailure after rolling back.
   */
  applySetAside(name: string, batch: RetryBatch, guard: BatchGuard): Promise<boolean>;
  /** Wakes a waiter when some connection may have moved a checkpoint (see ChangeWatch). */
  watchChanges(): Promise<ChangeWatch>;
  close(): Promise<void>;
}
