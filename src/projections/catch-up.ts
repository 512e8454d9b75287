import { ProjectionFailedError, StoreError, type EventliteError } from '../core/errors.js';
import { eventReadingOfProjection } from '../core/event-reading.js';
import type { RecordedEvent } from '../core/events.js';
import { AUDIT_TYPES } from '../core/lifecycle.js';
import { LeanEvent } from '../core/recorded-event.js';
import {
  HandlerFailure,
  type EventStore,
  type ProjectionBatch,
  type ProjectionFailure,
  type ProjectionRow,
  type ReadStore,
  type RetryBatch,
  type SetupFailure,
} from '../core/ports.js';
import { statementsFor, type Projection, type SqlStatement } from '../core/projection.js';
import type { DefinitionHashes } from './definition.js';
import type { SetAsideEvent } from '../core/set-aside.js';
import { applyWithPolicy, parkedStreamsOf, type ParkedStreams } from './on-error.js';

export const DEFAULT_BATCH_SIZE = 2000;

export interface Progress {
  projection: string;
  /** Events (positions) covered since this catch-up started, and how many it set out to cover. */
  done: number;
  total: number;
  checkpoint: number;
  target: number;
}

/** What one event did to a projection's tables. */
export interface EventTrace {
  projection: string;
  position: number;
  stream: string;
  type: string;
  statements: { sql: string; params: SqlStatement['params'] | null; rows: number }[];
}

export interface CatchUpOptions {
  batchSize?: number;
  /** Stop at this position even if the head is further on. */
  until?: number;
  /** Checked between batches: an interrupted catch-up stops on a committed batch. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /**
   * For `--trace`: each event of a batch this runner committed, with the statements its
   * handler gave and the rows each changed. Only committed batches are told of.
   */
  onTrace?: (trace: EventTrace) => void;
  /**
   * After each batch this runner committed (catch-up or rebuild): the events it applied, and
   * those it set aside (onError 'skip' or 'park').
   */
  onApplied?: (
    projection: string,
    events: readonly RecordedEvent[],
    setAside: readonly SetAsideEvent[],
  ) => void;
  /** ISO time for `last_run_at`, from the edge. */
  now: () => string;
}

/** The stores a projection runs between: events in, tables out. */
export interface Stores {
  events: EventStore;
  read: ReadStore;
}

/**
 * Catches one projection up from its checkpoint to the head as it is now (or `until`), one
 * batch per transaction, and returns the checkpoint it reached. Each batch re-reads the
 * checkpoint, so a second runner on the same projection only ever makes both finish sooner.
 */
export async function catchUpProjection(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: CatchUpOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = Math.min(await stores.events.head(), options.until ?? Infinity);
  const parked = new ParkedStreamsTracker(stores.read, projection);
  let row = await currentRow(stores.read, projection, hashes);
  const start = row.checkpoint;
  let checkpoint = start;
  while (checkpoint < target && !options.signal?.aborted) {
    const streams = await parked.streams(row);
    const next = await nextBatch(stores.events, projection, checkpoint, target, batchSize);
    const guard = {
      version: projection.version,
      definitionHash: hashes.definition,
      at: options.now(),
    };
    let trace = () => {};
    try {
      // A copy: what this batch parks counts once it has committed (the row then says so).
      const { result: won, batch } = await applyWithPolicy(
        projection,
        next,
        new Map(streams),
        (attempt) => stores.read.applyBatch(projection.name, attempt, guard),
        { prepare: (attempt) => (trace = traceBatch(attempt, projection, options)) },
      );
      if (won) {
        trace();
        options.onApplied?.(projection.name, batch.events, batch.setAside ?? []);
      }
    } catch (error) {
      if (!(error instanceof HandlerFailure)) throw error;
      throw await failProjection(stores.read, projection, error, 'catch-up', options.now());
    }
    // Whether this runner's batch won or another runner's did, carry on from the stored value.
    row = await currentRow(stores.read, projection, hashes);
    checkpoint = row.checkpoint;
    options.onProgress?.({
      projection: projection.name,
      done: Math.min(checkpoint, target) - start,
      total: Math.max(target - start, 0),
      checkpoint,
      target,
    });
    await yieldToEventLoop();
  }
  return checkpoint;
}

/**
 * Between batches, let signal handlers and the progress spinner run, so Ctrl-C stops on a
 * committed batch (a synchronous adapter never yields on its own).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function currentRow(
  read: ReadStore,
  projection: Projection,
  hashes: DefinitionHashes,
): Promise<ProjectionRow> {
  const row = await read.projectionRow(projection.name);
  if (!row || row.version !== projection.version || row.definitionHash !== hashes.definition) {
    throw new StoreError(
      `projection "${projection.name}" was replaced by another process with a different definition; run again`,
    );
  }
  return row;
}

/**
 * The projection's parked streams, read again whenever its row's count of parked events is
 * not the one they were read at: another runner (or this one's last batch) parked some. The
 * row is read with the checkpoint, in one statement, so a batch built from that checkpoint
 * knows every stream parked before it.
 */
class ParkedStreamsTracker {
  #streams: ParkedStreams = new Map();
  #count = 0;

  constructor(
    private readonly read: ReadStore,
    private readonly projection: Projection,
  ) {}

  async streams(row: ProjectionRow): Promise<ParkedStreams> {
    if (row.parked !== this.#count) {
      const rows = await this.read.setAsideEvents(this.projection.name, { kind: 'parked' });
      this.#streams = parkedStreamsOf(rows);
      this.#count = row.parked;
    }
    return this.#streams;
  }
}

/**
 * For each projection, an event of the last lean page it read, or 'whole' once it reads whole
 * events. Its handlers are given lean events (see LeanPage) until they read a stream, id or
 * metadata, which fetches that page again in full; from then on that projection reads whole
 * events, so a handler that reads them on every event pays for one page twice, not every page.
 */
const pagesRead = new WeakMap<Projection, LeanEvent | 'whole'>();

function readsLean(projection: Projection): boolean {
  const last = pagesRead.get(projection);
  if (last === 'whole') return false;
  if (last?.filled) {
    pagesRead.set(projection, 'whole');
    return false;
  }
  return true;
}

/**
 * The next events after `checkpoint`, up to `batchSize` of the types the projection handles,
 * under their names of today or old ones. Its handlers get each event as the domain reads it
 * (renamed and upcast), inside statementsFor: an upcaster that fails there fails the
 * projection at that event, as a handler would. Positions are gapless in any snapshot, so a
 * short batch means nothing else up to `target` concerns this projection and the checkpoint
 * may jump straight there.
 */
export async function nextBatch(
  events: EventStore,
  projection: Projection,
  checkpoint: number,
  target: number,
  batchSize: number,
): Promise<ProjectionBatch> {
  const handled = Object.keys(projection.on);
  const reading = eventReadingOfProjection(projection);
  const types = reading ? [...reading.storedNames(handled)] : handled;
  if (projection.onLifecycle) types.push(...Object.values(AUDIT_TYPES));
  const found: RecordedEvent[] = [];
  if (types.length > 0) {
    const limit = Math.min(batchSize, target - checkpoint);
    const lean = readsLean(projection);
    for await (const page of events.readLog({ from: checkpoint + 1, limit, types, lean })) {
      if (lean && page[0] instanceof LeanEvent) pagesRead.set(projection, page[0]);
      for (const event of page) {
        if (event.position > target) break;
        found.push(event);
      }
    }
  }
  const last = found[found.length - 1];
  const to = found.length === batchSize && last ? last.position : target;
  return {
    from: checkpoint,
    to,
    events: found,
    statementsFor: reading
      ? (event) => statementsFor(projection, reading.upcast(event))
      : (event) => statementsFor(projection, event),
    materializedViews: projection.materializedViews ?? [],
  };
}

/**
 * With `onTrace`, has the read store tell of each statement of `batch` as it runs, and returns
 * what reports them once the batch has committed (a batch that rolls back is never reported).
 */
export function traceBatch(
  batch: RetryBatch,
  projection: Projection,
  options: Pick<CatchUpOptions, 'onTrace'>,
): () => void {
  const onTrace = options.onTrace;
  if (!onTrace) return () => {};
  const traces = new Map<number, EventTrace>();
  batch.onStatement = (event, statement, rows) => {
    let trace = traces.get(event.position);
    if (!trace) {
      const { position, stream, type } = event;
      trace = { projection: projection.name, position, stream, type, statements: [] };
      traces.set(position, trace);
    }
    const sql = typeof statement.sql === 'string' ? statement.sql : statement.sql.sqlite;
    trace.statements.push({ sql, params: statement.params ?? null, rows });
  };
  return () => {
    for (const trace of traces.values()) onTrace(trace);
  };
}

/**
 * After the failing batch has rolled back: the projection is marked failed (in a transaction
 * of its own) and reported with the event it failed on.
 */
export async function failProjection(
  read: ReadStore,
  projection: Projection,
  failure: HandlerFailure,
  during: 'catch-up' | 'rebuild',
  at: string,
): Promise<EventliteError> {
  const { event } = failure;
  const reason = firstLine(failure.message);
  await read.markFailed(
    projection.name,
    { position: event.position, stream: event.stream, type: event.type, error: reason, during },
    at,
  );
  return new ProjectionFailedError(
    projection.name,
    event.position,
    event.stream,
    event.type,
    reason,
  );
}

/** The failure a SetupFailure is recorded as: no event, the statement in the error. */
export function setupFailureRecord(
  failure: SetupFailure,
  during: 'rebuild' | 'setup',
): ProjectionFailure {
  return {
    position: null,
    stream: null,
    type: null,
    error: `${firstLine(failure.message)} (in: ${oneLine(failure.statement)})`,
    during,
  };
}

/** The error reported for a SetupFailure, naming the projection and the statement. */
export function setupFailedError(projection: Projection, failure: SetupFailure): EventliteError {
  return new ProjectionFailedError(
    projection.name,
    null,
    null,
    null,
    firstLine(failure.message),
    failure.statement,
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}
