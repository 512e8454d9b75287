import { validateName } from '../../core/input.js';
import type { ReadSnapshotOptions, Snapshot } from '../../core/ports.js';
import { type Db, prepared } from './statements.js';

// Snapshots live in their own table; the events table is never touched here. Each write is a
// statement of its own (autocommit), never part of an append's transaction.

const READ = `SELECT s.version, s.event_id AS eventId, s.state
  FROM eventlite_snapshots s
  JOIN events e ON e.stream = s.stream AND e.version = s.version AND e.id = s.event_id
  WHERE s.stream = ? AND s.decider = ? AND s.version <= ?
  ORDER BY s.version DESC LIMIT 1`;

const WRITE = `INSERT INTO eventlite_snapshots (stream, decider, version, event_id, state, taken_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (stream, decider, version)
  DO UPDATE SET event_id = excluded.event_id, state = excluded.state, taken_at = excluded.taken_at`;

export function readSnapshot(
  db: Db,
  stream: string,
  decider: string,
  options: ReadSnapshotOptions = {},
): Snapshot | undefined {
  validateName('stream', stream);
  const row = prepared(db, READ).get(stream, decider, options.atMost ?? Number.MAX_SAFE_INTEGER) as
    Pick<Snapshot, 'version' | 'eventId' | 'state'> | undefined;
  return row && { stream, decider, ...row };
}

export function writeSnapshot(db: Db, snapshot: Snapshot, takenAt: string): void {
  validateName('stream', snapshot.stream);
  const { stream, decider, version, eventId, state } = snapshot;
  prepared(db, WRITE).run(stream, decider, version, eventId, state, takenAt);
}
