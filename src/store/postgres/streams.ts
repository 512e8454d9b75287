import type pg from 'pg';
import type {
  ListStreamsOptions,
  StoreCounts,
  StoreFootprint,
  StreamSummary,
} from '../../core/ports.js';

/**
 * Streams in byte order of their names (the column is COLLATE "C"). Walks the (stream, version)
 * index and stops at the limit; there is no table of streams to keep.
 */
export async function listPgStreams(
  pool: pg.Pool,
  options: ListStreamsOptions = {},
): Promise<StreamSummary[]> {
  const { rows } = await pool.query<StreamSummary>({
    text: `SELECT s.stream, s.version,
             first.recorded_at AS "firstRecordedAt", last.recorded_at AS "lastRecordedAt"
           FROM (
             SELECT stream, max(version) AS version FROM eventlite.events
             WHERE stream >= $1 AND starts_with(stream, $1)
             GROUP BY stream ORDER BY stream LIMIT $2
           ) AS s
           JOIN eventlite.events AS first ON first.stream = s.stream AND first.version = 1
           JOIN eventlite.events AS last ON last.stream = s.stream AND last.version = s.version
           ORDER BY s.stream`,
    // LIMIT NULL is no limit.
    values: [options.prefix ?? '', options.limit ?? null],
  });
  return rows;
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
