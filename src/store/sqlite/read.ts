import { validateName } from '../../core/input.js';
import type { ReadLogOptions, ReadStreamOptions } from '../../core/ports.js';
import type { RecordedEvent } from '../../core/events.js';
import { LeanEvent, LeanPage, type LeanRest, StoredEvent } from '../../core/recorded-event.js';
import { withStoreErrors } from './errors.js';
import { openSealedRows } from './keys.js';
import { type Db, EVENT_COLUMNS, LEAN_COLUMNS, preparedRaw, STORE_SQL } from './statements.js';

// Reads come out a page at a time (keyset pagination on position or version), so a caller can
// stream a million events in flat memory and pause between pages without holding a read
// transaction open for the whole scan. A failed read is translated here, naming this file:
// callers such as the projection runner also hold the read database, and must not blame it.
const PAGE_SIZE = 2000;

/** A row of EVENT_COLUMNS as an array, in their order (see preparedRaw). */
/** A row of EVENT_COLUMNS as an array, in StoredEvent's constructor order. */
export type EventArray = [number, string, number, string, string, string, string, string, number];
/** A row of LEAN_COLUMNS as an array. */
type LeanArray = [number, number, string, string, string, number];
const POSITION = 0;
const VERSION = 2;
/** Where data is in an event row, and in a lean one. */
const DATA = 5;
const LEAN_DATA = 3;

export function eventFromArray(row: EventArray): StoredEvent {
  return new StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]);
}

export function* streamPages(
  db: Db,
  path: string,
  stream: string,
  options: ReadStreamOptions = {},
): Generator<StoredEvent[]> {
  validateName('stream', stream);
  const page = preparedRaw(
    db,
    options.backwards ? STORE_SQL.streamPageBackward : STORE_SQL.streamPageForward,
  );
  let next = options.from ?? (options.backwards ? Number.MAX_SAFE_INTEGER : 1);
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const rows = withStoreErrors(path, () => {
      const found = page.all(stream, next, limit) as EventArray[];
      if (!options.sealed) openSealedRows(db, found, DATA);
      return found;
    });
    if (rows.length > 0) yield rows.map(eventFromArray);
    remaining -= rows.length;
    if (rows.length < limit) return;
    next = rows[rows.length - 1]![VERSION] + (options.backwards ? -1 : 1);
  }
}

export function* logPages(
  db: Db,
  path: string,
  options: ReadLogOptions = {},
): Generator<RecordedEvent[]> {
  const lean = options.lean === true;
  const page = logPageQuery(db, options, lean ? LEAN_COLUMNS : EVENT_COLUMNS);
  const toEvents = lean
    ? leanEvents(db, path)
    : (rows: unknown[][]) => (rows as EventArray[]).map(eventFromArray);
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const rows = withStoreErrors(path, () => {
      const found = page(next, limit);
      if (!options.sealed) openSealedRows(db, found, lean ? LEAN_DATA : DATA);
      return found;
    });
    if (rows.length > 0) yield toEvents(rows);
    remaining -= rows.length;
    if (rows.length < limit) return;
    next = (rows[rows.length - 1]![POSITION] as number) + 1;
  }
}

/** Rows of LEAN_COLUMNS as a LeanPage's events, which fetch the rest through `db` when asked. */
function leanEvents(db: Db, path: string) {
  const rest = preparedRaw(db, STORE_SQL.leanRest);
  const fetchRest = (first: number, last: number) =>
    withStoreErrors(path, () => rest.all(first, last) as LeanRest);
  return (rows: unknown[][]): LeanEvent[] => {
    const page = new LeanPage(fetchRest);
    for (const row of rows as LeanArray[]) {
      page.add(row[0], row[1], row[2], row[3], row[4], row[5]);
    }
    return page.events;
  };
}

// A filtered page's SQL depends only on which filters are given (and how many types), so the
// statement cache holds one per shape; the projection runner reads a page per batch.
function logPageQuery(db: Db, options: ReadLogOptions, columns: string) {
  const filter = logFilterSql(options);
  if (filter.sql === '') {
    const page = preparedRaw(
      db,
      columns === LEAN_COLUMNS ? STORE_SQL.leanLogPage : STORE_SQL.logPage,
    );
    return (from: number, limit: number) => page.all(from, limit) as unknown[][];
  }
  const filtered = preparedRaw(
    db,
    `SELECT ${columns} FROM events WHERE position >= ?${filter.sql} ORDER BY position LIMIT ?`,
  );
  return (from: number, limit: number) =>
    filtered.all(from, ...filter.params, limit) as unknown[][];
}

/**
 * The conditions of a filtered read, as ` AND …` clauses and their parameters. Prefixes are
 * compared with substr and length, which count characters alike (LIKE would take `_` and `%`
 * for patterns, and ignore the case of ASCII letters).
 */
function logFilterSql(options: ReadLogOptions): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  const types = options.types ?? [];
  if (types.length > 0) {
    for (const type of types) validateName('event type', type);
    sql += ` AND type IN (${types.map(() => '?').join(', ')})`;
    params.push(...types);
  }
  if (options.category !== undefined) {
    const prefix = `${options.category}-`;
    sql += ' AND (stream = ? OR substr(stream, 1, length(?)) = ?)';
    params.push(options.category, prefix, prefix);
  }
  if (options.streamPrefix !== undefined) {
    sql += ' AND substr(stream, 1, length(?)) = ?';
    params.push(options.streamPrefix, options.streamPrefix);
  }
  if (options.withoutSystemStreams) sql += ` AND substr(stream, 1, 1) <> '$'`;
  if (options.since !== undefined) {
    sql += ' AND julianday(recorded_at) >= julianday(?)';
    params.push(options.since);
  }
  if (options.correlationId !== undefined) {
    sql += ` AND (json_extract(metadata, '$.correlationId') = ?
      OR json_extract(metadata, '$.causationId') IS NOT NULL)`;
    params.push(options.correlationId);
  }
  return { sql, params };
}

/**
 * The events at `positions`, in position order: one statement whatever their number. Sealed
 * fields are opened, as every read but export's opens them.
 */
export function eventsAt(db: Db, path: string, positions: readonly number[]): StoredEvent[] {
  if (positions.length === 0) return [];
  const rows = withStoreErrors(path, () => {
    const found = preparedRaw(db, STORE_SQL.eventsAt).all(JSON.stringify(positions));
    openSealedRows(db, found as unknown[][], DATA);
    return found as EventArray[];
  });
  return rows.map(eventFromArray);
}
