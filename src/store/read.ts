import { validateName } from '../core/input.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './open.js';
import { storeStatements } from './statements.js';
import { STORED_EVENT_COLUMNS, type StoredEvent } from './stored-event.js';
import { sleep } from './sleep.js';
import { withStoreErrors } from './sqlite-errors.js';

// Reads come out page by page (keyset pagination on position or version), so a caller can
// stream a million events in flat memory and pause between pages without holding a read
// transaction open for the whole scan. A failed read is translated here, naming this file:
// callers such as the projection runner also hold the read database, and must not blame it.
const PAGE_SIZE = 2000;

export interface ReadStreamOptions {
  /** First version to return (inclusive); with `backwards`, the version to start down from. */
  from?: number;
  limit?: number;
  backwards?: boolean;
}

export function* readStream(
  db: Db,
  stream: string,
  options: ReadStreamOptions = {},
): Generator<StoredEvent> {
  validateName('stream', stream);
  const sql = storeStatements(db);
  const page = options.backwards ? sql.streamPageBackward : sql.streamPageForward;
  let next = options.from ?? (options.backwards ? Number.MAX_SAFE_INTEGER : 1);
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const rows = withStoreErrors(db.name, () => page.all(stream, next, limit)) as StoredEvent[];
    yield* rows;
    remaining -= rows.length;
    if (rows.length < PAGE_SIZE) return;
    next = rows[rows.length - 1]!.version + (options.backwards ? -1 : 1);
  }
}

export function streamVersion(db: Db, stream: string): number {
  return (storeStatements(db).streamVersion.get(stream) as number | null) ?? 0;
}

export interface ReadLogOptions {
  /** First position to return (inclusive). */
  from?: number;
  limit?: number;
  /** Only events of these types. */
  types?: readonly string[];
}

export function* readLog(db: Db, options: ReadLogOptions = {}): Generator<StoredEvent> {
  const page = logPageStatement(db, options.types);
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const rows = withStoreErrors(db.name, () => page.all(next, limit)) as StoredEvent[];
    yield* rows;
    remaining -= rows.length;
    if (rows.length < PAGE_SIZE) return;
    next = rows[rows.length - 1]!.position + 1;
  }
}

// The filtered page's SQL depends only on how many types there are; the projection runner
// reads a page per batch, so preparing it each time would be paid a thousand times a run.
const filteredPages = new WeakMap<Db, Map<number, Statement>>();

function logPageStatement(db: Db, types: readonly string[] | undefined) {
  if (!types || types.length === 0) return storeStatements(db).logPage;
  for (const type of types) validateName('event type', type);
  let byCount = filteredPages.get(db);
  if (!byCount) filteredPages.set(db, (byCount = new Map()));
  let statement = byCount.get(types.length);
  if (!statement) {
    const placeholders = types.map(() => '?').join(', ');
    statement = db.prepare(
      `SELECT ${STORED_EVENT_COLUMNS} FROM events
       WHERE position >= ? AND type IN (${placeholders}) ORDER BY position LIMIT ?`,
    );
    byCount.set(types.length, statement);
  }
  const filtered = statement;
  return {
    all: (from: number, limit: number) => filtered.all(from, ...types, limit),
  };
}

export function headPosition(db: Db): number {
  return withStoreErrors(db.name, () => storeStatements(db).head.get() as number);
}

export interface FollowOptions extends ReadLogOptions {
  signal: AbortSignal;
  /** How often to look for other processes' commits when idle. */
  pollMs?: number;
}

/** Yielded by followLog each time it has caught up with the head and is about to wait. */
export const CAUGHT_UP = Symbol('caught up');

/**
 * Yields the log from `from`, then keeps yielding new events as any process commits them,
 * until `signal` aborts. Idle cost is one `PRAGMA data_version` per poll: it changes only
 * when another connection has committed, so nothing is re-read in vain.
 */
export async function* followLog(
  db: Db,
  options: FollowOptions,
): AsyncGenerator<StoredEvent | typeof CAUGHT_UP> {
  const pollMs = options.pollMs ?? 100;
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  let seenDataVersion = -1;
  while (!options.signal.aborted && remaining > 0) {
    const dataVersion = db.pragma('data_version', { simple: true }) as number;
    if (dataVersion !== seenDataVersion) {
      seenDataVersion = dataVersion;
      for (const event of readLog(db, { ...options, from: next, limit: remaining })) {
        yield event;
        next = event.position + 1;
        remaining -= 1;
        if (options.signal.aborted) return;
      }
      continue;
    }
    yield CAUGHT_UP;
    await sleep(pollMs, options.signal);
  }
}
