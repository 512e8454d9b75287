import type pg from 'pg';
import type { SetAsideEvent, SetAsideKind, SetAsideRow } from '../../../core/set-aside.js';
import { setAsideColumns } from '../statements.js';

// The events each projection set aside (eventlite_projection_set_aside, read schema 2): the
// same rows and statements as the SQLite read database's set-aside.ts. `s` is the quoted read
// schema. A read schema that an older eventlite made, opened only to read, has no such table
// yet: it reads as holding none.

export async function hasSetAsideTable(client: pg.ClientBase, s: string): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS present',
    [`${s}.eventlite_projection_set_aside`],
  );
  return rows[0]?.present === true;
}

/** Counts per projection, as columns of a query on eventlite_projections `p`. */
export function setAsideCountColumns(s: string, present: boolean): string {
  if (!present) return '0 AS parked, 0 AS skipped';
  const count = (kind: SetAsideKind) => `(SELECT count(*)::integer
    FROM ${s}.eventlite_projection_set_aside a
    WHERE a.projection = p.name AND a.kind = '${kind}') AS ${kind}`;
  return `${count('parked')}, ${count('skipped')}`;
}

/** Records events set aside in the open transaction; an event already there is updated. */
export async function writeSetAside(
  client: pg.ClientBase,
  s: string,
  projection: string,
  events: readonly SetAsideEvent[],
  at: string,
): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO ${s}.eventlite_projection_set_aside AS a
       (projection, position, stream, type, kind, error, attempts, set_aside_at)
     SELECT $1, e.position, e.stream, e.type, e.kind, e.error, e.attempts, $2
     FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::integer[])
       AS e(position, stream, type, kind, error, attempts)
     ON CONFLICT (projection, position) DO UPDATE SET kind = excluded.kind,
       error = excluded.error, attempts = a.attempts + excluded.attempts,
       set_aside_at = excluded.set_aside_at`,
    [projection, at, ...setAsideColumns(events)],
  );
}

/** Forgets a projection's set-aside events: all of them, or those at `positions`. */
export async function deleteSetAside(
  client: pg.ClientBase,
  s: string,
  projection: string,
  positions?: readonly number[],
): Promise<void> {
  if (positions === undefined) {
    await client.query(`DELETE FROM ${s}.eventlite_projection_set_aside WHERE projection = $1`, [
      projection,
    ]);
  } else if (positions.length > 0) {
    await client.query(
      `DELETE FROM ${s}.eventlite_projection_set_aside
       WHERE projection = $1 AND position = ANY($2::bigint[])`,
      [projection, positions],
    );
  }
}

export async function readSetAside(
  client: pg.ClientBase,
  s: string,
  projection: string,
  kind?: SetAsideKind,
): Promise<SetAsideRow[]> {
  if (!(await hasSetAsideTable(client, s))) return [];
  const { rows } = await client.query<Omit<SetAsideRow, 'member' | 'queued'>>(
    `SELECT position::float8 AS position, stream, type, kind, error, attempts,
            set_aside_at AS at
     FROM ${s}.eventlite_projection_set_aside
     WHERE projection = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY position`,
    [projection, kind ?? null],
  );
  return rows.map((row) => ({ ...row, member: 0, queued: false }));
}
