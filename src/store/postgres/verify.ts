import type pg from 'pg';
import {
  payloadsCheck,
  positionsCheck,
  recordedAtCheck,
  streamVersionsCheck,
} from '../../core/checks.js';
import { AUDIT_TYPES, auditedHoles, SYSTEM_STREAM, type Ranges } from '../../core/lifecycle.js';
import type { Check } from '../../core/ports.js';
import { APPEND_ONLY_TRIGGERS, PG_STORE_SCHEMA_VERSION, readSchemaVersion } from './schema.js';

// The SQLite store's checks, in its order and wording where they apply. Its 'file intact'
// (SQLite's quick_check) has no counterpart here: the server looks after its own pages (and
// amcheck is an extension we cannot assume). In its place: the head counter must agree with
// the last event, since the next append takes its positions from it.

/** Integrity checks of the store; each names what it found when it fails. */
export async function verifyPgStore(client: pg.ClientBase): Promise<Check[]> {
  // One snapshot for all checks: a commit in between must not make them disagree.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    return [
      await checkSchema(client),
      await checkPositions(client),
      await checkStreamVersions(client),
      await checkJson(client),
      await checkRecordedAt(client),
    ];
  } finally {
    await client.query('COMMIT');
  }
}

async function checkSchema(client: pg.ClientBase): Promise<Check> {
  const version = await readSchemaVersion(client);
  const { rows } = await client.query<[number]>({
    text: `SELECT count(*)::integer FROM pg_trigger
           WHERE tgrelid = 'eventlite.events'::regclass AND NOT tgisinternal AND tgenabled <> 'D'`,
    rowMode: 'array',
  });
  const triggers = rows[0]![0];
  const ok = version === PG_STORE_SCHEMA_VERSION && triggers >= APPEND_ONLY_TRIGGERS;
  return {
    name: 'schema current',
    ok,
    detail: ok
      ? `schema ${version}`
      : `schema ${version} (expected ${PG_STORE_SCHEMA_VERSION}), ${triggers} append-only triggers`,
  };
}

async function checkPositions(client: pg.ClientBase): Promise<Check> {
  const { rows } = await client.query<[string, string, string, string]>({
    text: `SELECT count(*), coalesce(min(position), 1), coalesce(max(position), 0),
                  (SELECT position FROM eventlite.head)
           FROM eventlite.events`,
    rowMode: 'array',
  });
  const [events, first, last, counter] = rows[0]!.map(Number) as [number, number, number, number];
  // Positions are a unique key, so they increase; the runs missing between them must be
  // exactly those that audited hard deletes removed, and a counter past the last event would
  // make the next append leave a gap.
  const gaps = await client.query<[string, string]>({
    text: `SELECT previous + 1, position - 1 FROM (
             SELECT position, lag(position, 1, 0::bigint) OVER (ORDER BY position) AS previous
             FROM eventlite.events
           ) AS found WHERE position > previous + 1`,
    rowMode: 'array',
  });
  const audits = await client.query<[string]>({
    text: `SELECT data FROM eventlite.events WHERE stream = $1 AND type = $2`,
    values: [SYSTEM_STREAM, AUDIT_TYPES.streamDeleted],
    rowMode: 'array',
  });
  const store = await client.query<[string]>({
    text: 'SELECT store_id FROM eventlite.meta',
    rowMode: 'array',
  });
  return positionsCheck({
    events,
    first,
    last,
    gaps: gaps.rows.map((gap) => gap.map(Number) as Ranges[number]),
    audited: auditedHoles(
      audits.rows.map(([data]) => data),
      store.rows[0]![0],
    ),
    counter: { ok: counter === last, detail: `counter at ${counter}` },
  });
}

async function checkStreamVersions(client: pg.ClientBase): Promise<Check> {
  // Within a stream, versions must run 1, 2, 3… in position order.
  const { rows } = await client.query<{
    stream: string;
    position: string;
    version: number;
    expected: string;
  }>(
    `SELECT stream, position, version, expected FROM (
       SELECT stream, position, version,
              row_number() OVER (PARTITION BY stream ORDER BY position) AS expected
       FROM eventlite.events
     ) AS numbered WHERE version <> expected LIMIT 1`,
  );
  const broken = rows[0];
  return streamVersionsCheck(broken);
}

async function checkJson(client: pg.ClientBase): Promise<Check> {
  const { rows } = await client.query<[string]>({
    text: `SELECT position FROM eventlite.events
           WHERE json_typeof(data::json) <> 'object' OR json_typeof(metadata::json) <> 'object'
           LIMIT 1`,
    rowMode: 'array',
  });
  const bad = rows[0]?.[0];
  return payloadsCheck(bad);
}

async function checkRecordedAt(client: pg.ClientBase): Promise<Check> {
  // The shape every writer gives a recordedAt: a four-digit year, an optional fraction, `Z`.
  const { rows } = await client.query<{ position: string; recordedAt: string }>(
    `SELECT position, recorded_at AS "recordedAt" FROM eventlite.events
     WHERE recorded_at !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?Z$'
        OR recorded_at LIKE '0000-%'
     LIMIT 1`,
  );
  return recordedAtCheck(rows[0]);
}
