import type pg from 'pg';
import { validateName } from '../../core/input.js';
import type { ReadLogOptions, ReadStreamOptions } from '../../core/ports.js';
import type { StoredEvent } from '../../core/recorded-event.js';
import type { PgTarget } from './connection.js';
import { openSealedPgRows } from './keys.js';
import { withPgErrors } from './errors.js';
import { EVENT_COLUMNS, eventFromArray, type EventArrayRow } from './statements.js';

// Reads come out a page at a time (keyset pagination on version or position), each page its
// own statement: a caller can stream a million events in flat memory and pause between pages
// without holding a transaction, or a connection, open for the whole scan.
const PAGE_SIZE = 2000;

// `$2::bigint`: `from` may be beyond the integer range of `version` (backwards from the top).
const STREAM_FORWARD = `SELECT ${EVENT_COLUMNS} FROM eventlite.events
  WHERE stream = $1 AND version >= $2::bigint ORDER BY version LIMIT $3`;
const STREAM_BACKWARD = `SELECT ${EVENT_COLUMNS} FROM eventlite.events
  WHERE stream = $1 AND version <= $2::bigint ORDER BY version DESC LIMIT $3`;
const LOG_PAGE = `SELECT ${EVENT_COLUMNS} FROM eventlite.events
  WHERE position >= $1::bigint ORDER BY position LIMIT $2`;

export async function* readPgStream(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  options: ReadStreamOptions = {},
): AsyncGenerator<StoredEvent[]> {
  validateName('stream', stream);
  const backwards = options.backwards ?? false;
  let next = options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 1);
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const page = await readPage(
      pool,
      target,
      {
        name: backwards ? 'eventlite.streamBackward' : 'eventlite.streamForward',
        text: backwards ? STREAM_BACKWARD : STREAM_FORWARD,
        values: [stream, next, limit],
      },
      options.sealed,
    );
    if (page.length > 0) yield page;
    remaining -= page.length;
    if (page.length < limit) return;
    next = page[page.length - 1]!.version + (backwards ? -1 : 1);
  }
}

export async function* readPgLog(
  pool: pg.Pool,
  target: PgTarget,
  options: ReadLogOptions = {},
): AsyncGenerator<StoredEvent[]> {
  const filter = logFilterSql(options);
  let next = options.from ?? 1;
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const page = await readPage(
      pool,
      target,
      filter.sql === ''
        ? { name: 'eventlite.logPage', text: LOG_PAGE, values: [next, limit] }
        : {
            text: `SELECT ${EVENT_COLUMNS} FROM eventlite.events
              WHERE position >= $1::bigint${filter.sql} ORDER BY position LIMIT $2`,
            values: [next, limit, ...filter.params],
          },
      options.sealed,
    );
    if (page.length > 0) yield page;
    remaining -= page.length;
    if (page.length < limit) return;
    next = page[page.length - 1]!.position + 1;
  }
}

/** Where data is in an event row. */
const DATA = 5;

/**
 * The conditions of a filtered read as ` AND …` clauses, their parameters from $3 on, read as
 * the SQLite adapter reads them (src/store/sqlite/read.ts): prefixes compared as text, times as
 * instants, a correlation id only when it is a JSON string.
 */
function logFilterSql(options: ReadLogOptions): { sql: string; params: unknown[] } {
  let sql = '';
  const params: unknown[] = [];
  const parameter = (value: unknown) => {
    params.push(value);
    return `$${params.length + 2}`;
  };
  const types = options.types ?? [];
  if (types.length > 0) {
    for (const type of types) validateName('event type', type);
    sql += ` AND type = ANY(${parameter(types)}::text[])`;
  }
  if (options.category !== undefined) {
    const category = parameter(options.category);
    sql += ` AND (stream = ${category}::text OR starts_with(stream, ${category}::text || '-'))`;
  }
  if (options.streamPrefix !== undefined) {
    sql += ` AND starts_with(stream, ${parameter(options.streamPrefix)}::text)`;
  }
  if (options.withoutSystemStreams) sql += ` AND NOT starts_with(stream, '$')`;
  if (options.since !== undefined) {
    sql += ` AND recorded_at::timestamptz >= ${parameter(options.since)}::timestamptz`;
  }
  if (options.correlationId !== undefined) {
    sql += ` AND ((json_typeof(metadata::json -> 'correlationId') = 'string'
      AND metadata::json ->> 'correlationId' = ${parameter(options.correlationId)}::text)
      OR json_typeof(metadata::json -> 'causationId') <> 'null')`;
  }
  return { sql, params };
}

/** The events at `positions`, in position order, in one statement. */
export async function readPgPositions(
  pool: pg.Pool,
  target: PgTarget,
  positions: readonly number[],
): Promise<StoredEvent[]> {
  if (positions.length === 0) return [];
  return readPage(pool, target, {
    name: 'eventlite.eventsAt',
    text: `SELECT ${EVENT_COLUMNS} FROM eventlite.events
      WHERE position = ANY($1::bigint[]) ORDER BY position`,
    values: [positions],
  });
}

async function readPage(
  pool: pg.Pool,
  target: PgTarget,
  query: { name?: string; text: string; values: unknown[] },
  sealed = false,
): Promise<StoredEvent[]> {
  const rows = await withPgErrors(target, async () => {
    const found = (await pool.query<EventArrayRow>({ ...query, rowMode: 'array' })).rows;
    if (!sealed) await openSealedPgRows(pool, found, DATA);
    return found;
  });
  return rows.map(eventFromArray);
}

/** 0 for a stream that does not exist. */
export async function streamVersionOn(client: pg.ClientBase | pg.Pool, stream: string) {
  const { rows } = await client.query<[number | null]>({
    name: 'eventlite.streamVersion',
    text: 'SELECT max(version) FROM eventlite.events WHERE stream = $1',
    values: [stream],
    rowMode: 'array',
  });
  return rows[0]?.[0] ?? 0;
}

/** The last position committed: the head counter, which every write moves in its transaction. */
export async function headOn(client: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await client.query<[string]>({
    name: 'eventlite.head',
    text: 'SELECT position FROM eventlite.head',
    rowMode: 'array',
  });
  return Number(rows[0]?.[0] ?? 0);
}
