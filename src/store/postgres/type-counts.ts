import type pg from 'pg';
import type { EventTypeCount } from '../../core/ports.js';

/** Every stored type at every schema version, with counts and times: one scan of the log. */
export async function countPgEventTypes(pool: pg.Pool): Promise<EventTypeCount[]> {
  const { rows } = await pool.query<[string, number, string, string, string]>({
    text: `SELECT type, schema_version, count(*), min(recorded_at), max(recorded_at)
           FROM eventlite.events GROUP BY type, schema_version ORDER BY type, schema_version`,
    rowMode: 'array',
  });
  return rows.map(([type, schemaVersion, events, firstRecordedAt, lastRecordedAt]) => ({
    type,
    schemaVersion,
    events: Number(events),
    firstRecordedAt,
    lastRecordedAt,
  }));
}
