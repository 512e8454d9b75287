import type pg from 'pg';
import { validateName } from '../../core/input.js';
import type { ReadSnapshotOptions, Snapshot } from '../../core/ports.js';

// Snapshots live in their own table; eventlite.events is never touched here. Each write is a
// statement of its own (autocommit), never part of an append's transaction, and takes no head
// lock: it does not hold up writers.

const READ = `SELECT s.version, s.event_id, s.state
  FROM eventlite.snapshots s
  JOIN eventlite.events e ON e.stream = s.stream AND e.version = s.version AND e.id = s.event_id
  WHERE s.stream = $1 AND s.decider = $2 AND s.version <= $3::bigint
  ORDER BY s.version DESC LIMIT 1`;

const WRITE = `INSERT INTO eventlite.snapshots (stream, decider, version, event_id, state, taken_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (stream, decider, version)
  DO UPDATE SET event_id = excluded.event_id, state = excluded.state, taken_at = excluded.taken_at`;

export async function readPgSnapshot(
  pool: pg.Pool,
  stream: string,
  decider: string,
  options: ReadSnapshotOptions = {},
): Promise<Snapshot | undefined> {
  validateName('stream', stream);
  const { rows } = await pool.query<[number, string, string]>({
    name: 'eventlite.readSnapshot',
    text: READ,
    values: [stream, decider, options.atMost ?? Number.MAX_SAFE_INTEGER],
    rowMode: 'array',
  });
  const row = rows[0];
  return row && { stream, decider, version: row[0], eventId: row[1], state: row[2] };
}

export async function writePgSnapshot(
  pool: pg.Pool,
  snapshot: Snapshot,
  takenAt: string,
): Promise<void> {
  validateName('stream', snapshot.stream);
  const { stream, decider, version, eventId, state } = snapshot;
  await pool.query({
    name: 'eventlite.writeSnapshot',
    text: WRITE,
    values: [stream, decider, version, eventId, state, takenAt],
  });
}
