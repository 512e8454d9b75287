import type pg from 'pg';
import type {
  ListStreamsOptions,
  StoreCounts,
  StoreFootprint,
  StreamSummary,
} from '../../core/ports.js';
import type { PgTarget } from './connection.js';
import { withPgErrors } from './errors.js';

// A page of streams in byte order of their names (the column is COLLATE "C") from a bound
// on: the first page from the prefix itself, each later one after the last name printed
// (keyset pagination, as reads of events page), so listing a million streams holds one page
// at a time and no transaction between pages. Walks the (stream, version) index and stops at
// the page's limit; there is no table of streams to keep. Deleted streams are left out.
const PAGE = (from: '>=' | '>') =>
  `SELECT s.stream, s.version,
     first.recorded_at AS "firstRecordedAt", last.recorded_at AS "lastRecordedAt"
   FROM (
     SELECT stream, max(version) AS version FROM eventlite.events
     WHERE stream ${from} $1 AND starts_with(stream, $2)
       AND stream NOT IN (SELECT stream FROM eventlite.deleted_streams)
     GROUP BY stream ORDER BY stream LIMIT $3
   ) AS s
   JOIN eventlite.events AS first ON first.stream = s.stream AND first.version = 1
   JOIN eventlite.events AS last ON last.stream = s.stream AND last.version = s.version
   ORDER BY s.stream`;
const FIRST_PAGE = PAGE('>=');
const NEXT_PAGE = PAGE('>');
const PAGE_SIZE = 1000;

/** Streams in name order, a page at a time. */
export async function* listPgStreams(
  pool: pg.Pool,
  target: PgTarget,
  options: ListStreamsOptions = {},
): AsyncGenerator<StreamSummary[]> {
  const prefix = options.prefix ?? '';
  let after: string | undefined;
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const { rows } = await withPgErrors(target, () =>
      pool.query<StreamSummary>({
        text: after === undefined ? FIRST_PAGE : NEXT_PAGE,
        values: [after ?? prefix, prefix, limit],
      }),
    );
    if (rows.length > 0) yield rows;
    remaining -= rows.length;
    if (rows.length < limit) return;
    after = rows[rows.length - 1]!.stream;
  }
}

export async function countPgStore(pool: pg.Pool): Promise<StoreCounts> {
  const { rows } = await pool.query<[string, string, string]>({
    text: `SELECT (SELECT position FROM eventlite.head),
                  (SELECT count(DISTINCT stream) FROM eventlite.events),
                  (SELECT count(*) FROM eventlite.events)`,
    rowMode: 'array',
  });
  const [head, streams, events] = rows[0]!.map(Number) as [number, number, number];
  return { head, streams, events };
}

/** The schema version and the bytes of eventlite's tables, their indexes and TOAST included. */
export async function pgFootprint(pool: pg.Pool): Promise<StoreFootprint> {
  const { rows } = await pool.query<[number, string]>({
    text: `SELECT (SELECT schema_version FROM eventlite.meta),
                  (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'eventlite' AND c.relkind = 'r')`,
    rowMode: 'array',
  });
  const [schemaVersion, bytes] = rows[0]!;
  return { schemaVersion, bytes: Number(bytes) };
}
