import type { ListStreamsOptions, StoreCounts, StreamSummary } from '../../core/ports.js';
import { type Db, prepared } from './statements.js';

/** Streams in name order. Walks the (stream, version) index; no table of streams to keep. */
export function listStreams(db: Db, options: ListStreamsOptions = {}): StreamSummary[] {
  const prefix = options.prefix ?? '';
  return prepared(
    db,
    `SELECT s.stream, s.version,
         (SELECT recorded_at FROM events WHERE stream = s.stream AND version = 1) AS firstRecordedAt,
         (SELECT recorded_at FROM events WHERE stream = s.stream AND version = s.version)
           AS lastRecordedAt
       FROM (
         SELECT stream, max(version) AS version FROM events
         WHERE stream >= :prefix AND substr(stream, 1, length(:prefix)) = :prefix
         GROUP BY stream ORDER BY stream LIMIT :limit
       ) AS s`,
  ).all({ prefix, limit: options.limit ?? -1 }) as StreamSummary[];
}

export function countStore(db: Db): StoreCounts {
  return prepared(
    db,
    `SELECT coalesce((SELECT max(position) FROM events), 0) AS head,
            (SELECT count(DISTINCT stream) FROM events) AS streams,
            (SELECT count(*) FROM events) AS events`,
  ).get() as StoreCounts;
}
