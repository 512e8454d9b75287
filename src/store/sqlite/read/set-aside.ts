import type { SetAsideEvent, SetAsideKind, SetAsideRow } from '../../../core/set-aside.js';
import { type Db, prepared } from '../statements.js';

// The events each projection set aside (eventlite_projection_set_aside, read schema 2): every
// statement on them. A read database that an older eventlite wrote, opened only to read, has
// no such table yet: it reads as holding none.

export function hasSetAsideTable(db: Db): boolean {
  return (
    prepared(
      db,
      `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'eventlite_projection_set_aside'`,
    ).get() !== undefined
  );
}

/** Counts per projection, as columns of a query on eventlite_projections `p`. */
export function setAsideCountColumns(db: Db): string {
  if (!hasSetAsideTable(db)) return '0 AS parked, 0 AS skipped';
  const count = (kind: SetAsideKind) => `(SELECT count(*) FROM eventlite_projection_set_aside a
    WHERE a.projection = p.name AND a.kind = '${kind}') AS ${kind}`;
  return `${count('parked')}, ${count('skipped')}`;
}

/** Records events set aside, inside the caller's transaction; an event already there is updated. */
export function writeSetAside(
  db: Db,
  projection: string,
  events: readonly SetAsideEvent[],
  at: string,
): void {
  const upsert = prepared(
    db,
    `INSERT INTO eventlite_projection_set_aside
       (projection, position, stream, type, kind, error, attempts, set_aside_at)
     VALUES (:projection, :position, :stream, :type, :kind, :error, :attempts, :at)
     ON CONFLICT (projection, position) DO UPDATE SET kind = excluded.kind,
       error = excluded.error, attempts = attempts + excluded.attempts,
       set_aside_at = excluded.set_aside_at`,
  );
  for (const event of events) {
    const { position, stream, type, kind, error, attempts } = event;
    upsert.run({ projection, position, stream, type, kind, error, attempts, at });
  }
}

/** Forgets a projection's set-aside events: all of them, or those at `positions`. */
export function deleteSetAside(db: Db, projection: string, positions?: readonly number[]): void {
  if (!hasSetAsideTable(db)) return;
  if (positions === undefined) {
    prepared(db, `DELETE FROM eventlite_projection_set_aside WHERE projection = ?`).run(projection);
    return;
  }
  const remove = prepared(
    db,
    `DELETE FROM eventlite_projection_set_aside WHERE projection = ? AND position = ?`,
  );
  for (const position of positions) remove.run(projection, position);
}

export function readSetAside(db: Db, projection: string, kind?: SetAsideKind): SetAsideRow[] {
  if (!hasSetAsideTable(db)) return [];
  const rows = prepared(
    db,
    `SELECT position, stream, type, kind, error, attempts, set_aside_at AS at
     FROM eventlite_projection_set_aside
     WHERE projection = :projection AND (:kind IS NULL OR kind = :kind) ORDER BY position`,
  ).all({ projection, kind: kind ?? null }) as Omit<SetAsideRow, 'member' | 'queued'>[];
  return rows.map((row) => ({ ...row, member: 0, queued: false }));
}
