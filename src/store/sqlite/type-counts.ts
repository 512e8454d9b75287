import type { EventTypeCount } from '../../core/ports.js';
import { type Db, prepared } from './statements.js';

/** Every stored type at every schema version, with counts and times: one scan of the log. */
export function countEventTypes(db: Db): EventTypeCount[] {
  return prepared(
    db,
    `SELECT type, schema_version AS schemaVersion, count(*) AS events,
            min(recorded_at) AS firstRecordedAt, max(recorded_at) AS lastRecordedAt
     FROM events GROUP BY type, schema_version ORDER BY type, schema_version`,
  ).all() as EventTypeCount[];
}
