import {
  payloadsCheck,
  positionsCheck,
  recordedAtCheck,
  streamVersionsCheck,
} from '../../core/checks.js';
import { AUDIT_TYPES, auditedHoles, SYSTEM_STREAM, type Ranges } from '../../core/lifecycle.js';
import type { Check } from '../../core/ports.js';
import { STORE_APPLICATION_ID, STORE_SCHEMA_VERSION } from './schema.js';
import type { Db } from './statements.js';

/** Integrity checks of the store; each names what it found when it fails. */
export function verifyStore(db: Db): Check[] {
  return [
    checkSchema(db),
    checkSqliteIntegrity(db),
    checkPositions(db),
    checkStreamVersions(db),
    checkJson(db),
    checkRecordedAt(db),
  ];
}

function checkSchema(db: Db): Check {
  const version = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const triggers = db
    .prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'events'`)
    .pluck()
    .get() as number;
  const ok =
    applicationId === STORE_APPLICATION_ID && version === STORE_SCHEMA_VERSION && triggers >= 2;
  return {
    name: 'schema current',
    ok,
    detail: ok
      ? `schema ${version}`
      : `schema ${version} (expected ${STORE_SCHEMA_VERSION}), ${triggers} append-only triggers`,
  };
}

function checkSqliteIntegrity(db: Db): Check {
  const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  const ok = problems.length === 1 && problems[0]!.quick_check === 'ok';
  return {
    name: 'file intact',
    ok,
    detail: ok ? 'SQLite quick_check ok' : problems.map((row) => row.quick_check).join('; '),
  };
}

function checkPositions(db: Db): Check {
  const row = db
    .prepare(
      `SELECT count(*) AS events, coalesce(min(position), 1) AS first,
              coalesce(max(position), 0) AS last,
              coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) AS sequence
       FROM events`,
    )
    .get() as { events: number; first: number; last: number; sequence: number };
  // Positions are a unique integer key, so they increase; the runs missing between them must
  // be exactly those that audited hard deletes removed.
  const gaps = db
    .prepare(
      `SELECT previous + 1, position - 1 FROM (
         SELECT position, lag(position, 1, 0) OVER (ORDER BY position) AS previous FROM events
       ) WHERE position > previous + 1`,
    )
    .raw()
    .all() as Ranges;
  const audits = db
    .prepare(`SELECT data FROM events WHERE stream = ? AND type = ?`)
    .pluck()
    .all(SYSTEM_STREAM, AUDIT_TYPES.streamDeleted) as string[];
  const storeId = db
    .prepare(`SELECT value FROM eventlite_store WHERE key = 'store_id'`)
    .pluck()
    .get();
  return positionsCheck({
    ...row,
    gaps,
    audited: auditedHoles(audits, storeId as string),
    counter: { ok: row.sequence >= row.last, detail: `sequence at ${row.sequence}` },
  });
}

function checkStreamVersions(db: Db): Check {
  // Within a stream, versions must run 1, 2, 3… in position order.
  const broken = db
    .prepare(
      `SELECT stream, position, version, expected FROM (
         SELECT stream, position, version,
                row_number() OVER (PARTITION BY stream ORDER BY position) AS expected
         FROM events
       ) WHERE version != expected LIMIT 1`,
    )
    .get() as { stream: string; position: number; version: number; expected: number } | undefined;
  return streamVersionsCheck(broken);
}

function checkJson(db: Db): Check {
  const bad = db
    .prepare(
      `SELECT position FROM events
       WHERE json_type(data) != 'object' OR json_type(metadata) != 'object' LIMIT 1`,
    )
    .pluck()
    .get() as number | undefined;
  return payloadsCheck(bad);
}

// The shape every writer gives a recordedAt: `YYYY-MM-DDTHH:MM:SS`, an optional fraction, `Z`.
// The fraction is any digits after a dot; GLOB has no repetition, so it is checked apart.
const RECORDED_AT_SHAPE =
  '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';

function checkRecordedAt(db: Db): Check {
  const bad = db
    .prepare(
      `SELECT position, recorded_at AS recordedAt FROM (
         SELECT position, recorded_at, substr(recorded_at, 20, length(recorded_at) - 20) AS fraction
         FROM events
       ) WHERE recorded_at NOT GLOB :shape OR recorded_at GLOB '0000-*'
            OR (fraction <> '' AND (fraction NOT GLOB '.[0-9]*' OR substr(fraction, 2) GLOB '*[^0-9]*'))
       LIMIT 1`,
    )
    .get({ shape: RECORDED_AT_SHAPE }) as { position: number; recordedAt: string } | undefined;
  return recordedAtCheck(bad);
}
