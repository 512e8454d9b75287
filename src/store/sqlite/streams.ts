import type { ListStreamsOptions, StoreCounts, StreamSummary } from '../../core/ports.js';
import { withStoreErrors } from './errors.js';
import { type Db, prepared } from './statements.js';

// A page of streams in name order from a bound on: the first page from the prefix itself, each
// later one after the last name printed (keyset pagination, as reads of events page), so
// listing a million streams holds one page at a time and no read transaction between pages.
// Walks the (stream, version) index; there is no table of streams to keep. Deleted streams
// are left out.
const PAGE = (from: '>=' | '>') =>
  `SELECT s.stream, s.version,
     (SELECT recorded_at FROM events WHERE stream = s.stream AND version = 1) AS firstRecordedAt,
     (SELECT recorded_at FROM events WHERE stream = s.stream AND version = s.version)
       AS lastRecordedAt
   FROM (
     SELECT stream, max(version) AS version FROM events
     WHERE stream ${from} :from AND substr(stream, 1, length(:prefix)) = :prefix
       AND stream NOT IN (SELECT stream FROM eventlite_deleted_streams)
     GROUP BY stream ORDER BY stream LIMIT :limit
   ) AS s`;
const FIRST_PAGE = PAGE('>=');
const NEXT_PAGE = PAGE('>');
const PAGE_SIZE = 1000;

/** Streams in name order, a page at a time. */
export function* streamSummaryPages(
  db: Db,
  path: string,
  options: ListStreamsOptions = {},
): Generator<StreamSummary[]> {
  const prefix = options.prefix ?? '';
  let after: string | undefined;
  let remaining = options.limit ?? Infinity;
  while (remaining > 0) {
    const limit = Math.min(PAGE_SIZE, remaining);
    const rows = withStoreErrors(path, () =>
      prepared(db, after === undefined ? FIRST_PAGE : NEXT_PAGE).all({
        from: after ?? prefix,
        prefix,
        limit,
      }),
    ) as StreamSummary[];
    if (rows.length > 0) yield rows;
    remaining -= rows.length;
    if (rows.length < limit) return;
    after = rows[rows.length - 1]!.stream;
  }
}

export function countStore(db: Db): StoreCounts {
  return prepared(
    db,
    `SELECT coalesce((SELECT max(position) FROM events), 0) AS head,
            (SELECT count(DISTINCT stream) FROM events) AS streams,
            (SELECT count(*) FROM events) AS events`,
  ).get() as StoreCounts;
}
