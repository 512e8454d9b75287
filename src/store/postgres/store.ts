import type pg from 'pg';
import { storeReplacedError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import type { DeletedStream } from '../../core/lifecycle.js';
import type {
  AppendOptions,
  AppendResult,
  ChangeWatch,
  Check,
  EventStore,
  EventTypeCount,
  ForgetOptions,
  ImportSession,
  LifecycleOptions,
  LifecycleResult,
  ListStreamsOptions,
  ReadLogOptions,
  ReadSnapshotOptions,
  ReadStreamOptions,
  RedactOptions,
  Snapshot,
  StoreCounts,
  StoreFootprint,
  StreamSummary,
} from '../../core/ports.js';
import type { RecordedEvent } from '../../core/events.js';
import type { SubjectKey } from '../../core/sealing.js';
import { appendToPgStream } from './append.js';
import type { PgTarget } from './connection.js';
import { deletePgStream, restorePgStream } from './delete-stream.js';
import { forgetPgSubject } from './forget.js';
import { beginPgImport } from './import.js';
import { translatePgError, withPgErrors } from './errors.js';
import { readPgKeys, subjectPgKeys } from './keys.js';
import { deletedPgStream } from './lifecycle.js';
import { redactPgEvents } from './redact.js';
import { headOn, readPgLog, readPgPositions, readPgStream, streamVersionOn } from './read.js';
import { readPgSnapshot, writePgSnapshot } from './snapshots.js';
import { dropEmptyPgStore, EVENTS_CHANNEL } from './schema.js';
import { countPgStore, listPgStreams, pgFootprint } from './streams.js';
import { connect } from './transaction.js';
import { countPgEventTypes } from './type-counts.js';
import { PgSubscriptions } from './subscriptions.js';
import { verifyPgStore } from './verify.js';
import { NotificationWatch } from './watch.js';

/** The EventStore port over a pool of connections to one PostgreSQL database. */
export class PostgresEventStore implements EventStore {
  readonly backend = 'postgres';
  readonly location: string;
  readonly subscriptions: PgSubscriptions;
  #closed: Promise<void> | undefined;
  /** The store id the first change marker saw. */
  #storeId: string | undefined;
  readonly #watches = new Set<ChangeWatch>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PgTarget,
    /** Whether this open created the store's schema. */
    private readonly created = false,
  ) {
    this.location = target.location;
    this.subscriptions = new PgSubscriptions(pool, target);
  }

  append(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return appendToPgStream(this.pool, this.target, stream, events, options);
  }

  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent[]> {
    return readPgStream(this.pool, this.target, stream, options);
  }

  readLog(options?: ReadLogOptions): AsyncIterable<RecordedEvent[]> {
    return readPgLog(this.pool, this.target, options);
  }

  streamVersion(stream: string): Promise<number> {
    return this.#run(() => streamVersionOn(this.pool, stream));
  }

  head(): Promise<number> {
    return this.#run(() => headOn(this.pool));
  }

  storeId(): Promise<string> {
    return this.#run(async () => {
      const { rows } = await this.pool.query<{ store_id: string }>(
        'SELECT store_id FROM eventlite.meta',
      );
      return rows[0]!.store_id;
    });
  }

  /**
   * The head counter: every commit that writes moves it, whichever connection made it. The
   * store id beside it tells a store made anew by `reset` from the one this follower opened.
   */
  async changeMarker(): Promise<number> {
    let row: { position: string; store_id: string } | undefined;
    try {
      ({
        rows: [row],
      } = await this.pool.query<{ position: string; store_id: string }>(
        'SELECT h.position, m.store_id FROM eventlite.head h, eventlite.meta m',
      ));
    } catch (error) {
      // undefined_table: the schema went between two polls.
      if ((error as { code?: unknown }).code === '42P01') throw storeReplacedError(this.location);
      throw translatePgError(error, this.target);
    }
    this.#storeId ??= row?.store_id;
    if (row === undefined || row.store_id !== this.#storeId) {
      throw storeReplacedError(this.location);
    }
    return Number(row.position);
  }

  /** LISTEN on the channel that the schema's trigger notifies at each commit of events. */
  async watchChanges(): Promise<ChangeWatch> {
    const watch = await new NotificationWatch(this.pool.options, EVENTS_CHANNEL).start();
    this.#watches.add(watch);
    return {
      next: (timeoutMs, signal) => watch.next(timeoutMs, signal),
      close: async () => {
        this.#watches.delete(watch);
        await watch.close();
      },
    };
  }

  readPositions(positions: readonly number[]): Promise<RecordedEvent[]> {
    return readPgPositions(this.pool, this.target, positions);
  }

  beginImport(): Promise<ImportSession> {
    return beginPgImport(this.pool, this.target);
  }

  listStreams(options?: ListStreamsOptions): AsyncIterable<StreamSummary[]> {
    return listPgStreams(this.pool, this.target, options);
  }

  eventTypes(): Promise<EventTypeCount[]> {
    return this.#run(() => countPgEventTypes(this.pool));
  }

  counts(): Promise<StoreCounts> {
    return this.#run(() => countPgStore(this.pool));
  }

  async verify(): Promise<Check[]> {
    const client = await connect(this.pool, this.target);
    try {
      return await this.#run(() => verifyPgStore(client));
    } finally {
      client.release();
    }
  }

  footprint(): Promise<StoreFootprint> {
    return this.#run(() => pgFootprint(this.pool));
  }

  readSnapshot(
    stream: string,
    decider: string,
    options?: ReadSnapshotOptions,
  ): Promise<Snapshot | undefined> {
    return this.#run(() => readPgSnapshot(this.pool, stream, decider, options));
  }

  writeSnapshot(snapshot: Snapshot, options: { now?: () => Date } = {}): Promise<void> {
    const takenAt = (options.now?.() ?? new Date()).toISOString();
    return this.#run(() => writePgSnapshot(this.pool, snapshot, takenAt));
  }

  deletedStream(stream: string): Promise<DeletedStream | undefined> {
    return this.#run(() => deletedPgStream(this.pool, stream));
  }

  deleteStream(
    stream: string,
    options: LifecycleOptions & { hard: boolean },
  ): Promise<LifecycleResult> {
    return deletePgStream(this.pool, this.target, stream, options);
  }

  restoreStream(stream: string, options: LifecycleOptions = {}): Promise<LifecycleResult> {
    return restorePgStream(this.pool, this.target, stream, options);
  }

  redactEvents(stream: string, options: RedactOptions): Promise<LifecycleResult> {
    return redactPgEvents(this.pool, this.target, stream, options);
  }

  forgetSubject(subject: string, options: ForgetOptions = {}): Promise<LifecycleResult> {
    return forgetPgSubject(this.pool, this.target, subject, options);
  }

  subjectKeys(
    subjects: readonly string[],
    options: LifecycleOptions = {},
  ): Promise<Map<string, SubjectKey>> {
    const createdAt = (options.now?.() ?? new Date()).toISOString();
    return subjectPgKeys(this.pool, this.target, subjects, createdAt);
  }

  readKeys(keyIds: readonly string[]): Promise<SubjectKey[]> {
    return this.#run(() => readPgKeys(this.pool, keyIds));
  }

  async discardIfNew(): Promise<void> {
    if (!this.created) return;
    const client = await this.pool.connect();
    try {
      await dropEmptyPgStore(client);
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    // pg's Pool.end throws when called twice; closing a closed store is a no-op.
    return (this.#closed ??= (async () => {
      await Promise.all([...this.#watches].map((watch) => watch.close()));
      await this.pool.end();
    })());
  }

  #run<T>(work: () => Promise<T>): Promise<T> {
    return withPgErrors(this.target, work);
  }
}
