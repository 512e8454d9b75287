import { existsSync, rmSync, statSync } from 'node:fs';
import { NotFoundError, storeReplacedError } from '../../core/errors.js';
import type { NewEvent, RecordedEvent } from '../../core/events.js';
import type { DeletedStream } from '../../core/lifecycle.js';
import type {
  AppendOptions,
  AppendResult,
  ChangeWatch,
  EventStore,
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
  StreamSummary,
} from '../../core/ports.js';
import type { SubjectKey } from '../../core/sealing.js';
import type { StoredEvent } from '../../core/recorded-event.js';
import { appendToStream } from './append.js';
import { translateSqliteError, withStoreErrors } from './errors.js';
import { deleteStream, restoreStream } from './delete-stream.js';
import { forgetSubject } from './forget.js';
import { beginImport } from './import.js';
import { readKeys, subjectKeys } from './keys.js';
import { deletedStreamOf } from './lifecycle.js';
import {
  filePath,
  newDatabase,
  openDatabase,
  openReadOnlyDatabase,
  type OpenOptions,
} from './open.js';
import { eventsAt, logPages, streamPages } from './read.js';
import { STORE_SCHEMA, STORE_SCHEMA_VERSION } from './schema.js';
import { type Db, pluck, STORE_SQL } from './statements.js';
import { redactEvents } from './redact.js';
import { readSnapshot, writeSnapshot } from './snapshots.js';
import { countStore, streamSummaryPages } from './streams.js';
import { countEventTypes } from './type-counts.js';
import { SqliteSubscriptions } from './subscriptions.js';
import { verifyStore } from './verify.js';
import { FileChangeWatch } from './watch.js';

/** Which file is at `path` (device and inode); undefined when there is none. */
function fileIdentity(path: string): string | undefined {
  const stats = statSync(path, { throwIfNoEntry: false, bigint: true });
  return stats && `${stats.dev}:${stats.ino}`;
}

/** Opens (creating or migrating as needed) the SQLite event store at `path`. */
export function openSqliteEventStore(path: string, options: OpenOptions = {}): SqliteEventStore {
  if (options.readOnly) {
    if (!existsSync(filePath(path, options.cwd))) {
      throw new NotFoundError(
        `no ${STORE_SCHEMA.kind} at ${path} (create one with "eventlite init")`,
      );
    }
    return new SqliteEventStore(openReadOnlyDatabase(path, options.cwd), path, options.cwd);
  }
  return new SqliteEventStore(openDatabase(path, STORE_SCHEMA, options), path, options.cwd);
}

/**
 * The EventStore port over one better-sqlite3 connection. better-sqlite3 is synchronous, so
 * each method does its work at once; the promises let a server database stand behind the
 * same port. Every SQLite error leaving here is translated, naming this file.
 */
export class SqliteEventStore implements EventStore {
  readonly backend = 'sqlite' as const;
  readonly subscriptions: SqliteSubscriptions;

  /** The file as opened: `reset` deletes it and makes another at the same path. */
  readonly #file: { path: string; identity: string } | undefined;

  constructor(
    /** The connection, for the read store when the read models live in the store file. */
    readonly db: Db,
    readonly location: string,
    private readonly cwd?: string,
  ) {
    const path = location === ':memory:' ? undefined : filePath(location, cwd);
    this.#file = path === undefined ? undefined : { path, identity: fileIdentity(path) ?? '' };
    this.subscriptions = new SqliteSubscriptions(db, location);
  }

  private guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(withStoreErrors(this.location, work));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  append(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return this.guard(() => appendToStream(this.db, stream, events, options));
  }

  async *readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<StoredEvent[]> {
    yield* streamPages(this.db, this.location, stream, options);
  }

  async *readLog(options?: ReadLogOptions): AsyncIterable<RecordedEvent[]> {
    yield* logPages(this.db, this.location, options);
  }

  streamVersion(stream: string): Promise<number> {
    return this.guard(() => pluck<number | null>(this.db, STORE_SQL.streamVersion, stream) ?? 0);
  }

  head(): Promise<number> {
    return this.guard(() => pluck<number>(this.db, STORE_SQL.head));
  }

  storeId(): Promise<string> {
    return this.guard(() => pluck<string>(this.db, STORE_SQL.storeId));
  }

  /**
   * `PRAGMA data_version` changes only when another connection commits: a free poll. The
   * connection keeps a deleted file open, so the path is looked at too: one stat.
   */
  changeMarker(): Promise<number> {
    if (this.#file && fileIdentity(this.#file.path) !== this.#file.identity) {
      return Promise.reject(storeReplacedError(this.location));
    }
    return this.guard(() => this.db.pragma('data_version', { simple: true }) as number);
  }

  async watchChanges(): Promise<ChangeWatch> {
    return new FileChangeWatch(
      this.location === ':memory:' ? undefined : filePath(this.location, this.cwd),
    );
  }

  readPositions(positions: readonly number[]): Promise<RecordedEvent[]> {
    return this.guard(() => eventsAt(this.db, this.location, positions));
  }

  async beginImport(): Promise<ImportSession> {
    const session = await this.guard(() => beginImport(this.db));
    const location = this.location;
    return {
      async add(events) {
        try {
          session.add(events);
        } catch (error) {
          throw translateSqliteError(error, location);
        }
      },
      addKeys: (keys) => this.guard(() => session.addKeys(keys)),
      commit: () => this.guard(() => session.commit()),
      rollback: () => this.guard(() => session.rollback()),
    };
  }

  async *listStreams(options?: ListStreamsOptions): AsyncIterable<StreamSummary[]> {
    yield* streamSummaryPages(this.db, this.location, options);
  }

  eventTypes() {
    return this.guard(() => countEventTypes(this.db));
  }

  counts() {
    return this.guard(() => countStore(this.db));
  }

  verify() {
    return this.guard(() => verifyStore(this.db));
  }

  footprint() {
    const file = filePath(this.location, this.cwd);
    return this.guard(() => ({
      schemaVersion: STORE_SCHEMA_VERSION,
      bytes: fileSize(file) + fileSize(`${file}-wal`),
    }));
  }

  readSnapshot(
    stream: string,
    decider: string,
    options?: ReadSnapshotOptions,
  ): Promise<Snapshot | undefined> {
    return this.guard(() => readSnapshot(this.db, stream, decider, options));
  }

  writeSnapshot(snapshot: Snapshot, options: { now?: () => Date } = {}): Promise<void> {
    const takenAt = (options.now?.() ?? new Date()).toISOString();
    return this.guard(() => writeSnapshot(this.db, snapshot, takenAt));
  }

  deletedStream(stream: string): Promise<DeletedStream | undefined> {
    return this.guard(() => deletedStreamOf(this.db, stream));
  }

  deleteStream(
    stream: string,
    options: LifecycleOptions & { hard: boolean },
  ): Promise<LifecycleResult> {
    return this.guard(() => deleteStream(this.db, this.location, stream, options));
  }

  restoreStream(stream: string, options: LifecycleOptions = {}): Promise<LifecycleResult> {
    return this.guard(() => restoreStream(this.db, stream, options));
  }

  redactEvents(stream: string, options: RedactOptions): Promise<LifecycleResult> {
    return this.guard(() => redactEvents(this.db, this.location, stream, options));
  }

  forgetSubject(subject: string, options: ForgetOptions = {}): Promise<LifecycleResult> {
    return this.guard(() => forgetSubject(this.db, this.location, subject, options));
  }

  subjectKeys(
    subjects: readonly string[],
    options: LifecycleOptions = {},
  ): Promise<Map<string, SubjectKey>> {
    const createdAt = (options.now?.() ?? new Date()).toISOString();
    return this.guard(() => subjectKeys(this.db, subjects, createdAt));
  }

  readKeys(keyIds: readonly string[]): Promise<SubjectKey[]> {
    return this.guard(() => readKeys(this.db, keyIds));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Removes a store file that a failed command created, with its WAL, while it still holds no
 * event: a failing command changes nothing on disk. A file that another process has written
 * an event into meanwhile stays.
 */
export function removeEmptyStoreFile(path: string, cwd?: string): void {
  const file = filePath(path, cwd);
  try {
    const db = newDatabase(file, { fileMustExist: true });
    try {
      db.pragma(`busy_timeout = 1000`);
      const empty = db.transaction(
        () => db.prepare('SELECT count(*) FROM events').pluck().get() === 0,
      );
      if (!empty.immediate()) return;
    } finally {
      db.close();
    }
  } catch {
    return;
  }
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(`${file}${suffix}`, { force: true });
}
