import type pg from 'pg';
import { checkBatch, eventRowsToWrite, idsOf, isStoredBatch } from '../../core/batch.js';
import { StoreError } from '../../core/errors.js';
import type { NewEvent } from '../../core/events.js';
import { checkExpectedVersion, type ExpectedVersion } from '../../core/expected-version.js';
import { StreamDeletedError } from '../../core/lifecycle.js';
import type { AppendOptions, AppendResult } from '../../core/ports.js';
import { toRecordedAt } from '../../core/time-range.js';
import { newEventId } from '../ids.js';
import type { PgTarget } from './connection.js';
import { translatePgError } from './errors.js';
import { eventFromInsertRow } from './statements.js';

// eventlite.append_events (append-function.ts) does the whole append in one autocommitted
// statement: one round trip from the pool's idle connection, no BEGIN and no COMMIT of ours.
const APPEND_EVENTS = `SELECT outcome, head_before, stream_version, stored_ids, stored_in
  FROM eventlite.append_events($1, $2, $3::text[], $4::text[], $5::text[], $6::text[],
                               $7::text[], $8::integer[], $9)`;

type AppendRow = [
  outcome: 'appended' | 'stored',
  headBefore: string | null,
  streamVersion: number,
  storedIds: string[] | null,
  storedIn: string[] | null,
];

/** The SQLSTATE that append_events raises when the expected version does not fit. */
const VERSION_CONFLICT = 'EL409';
/** The SQLSTATE it raises for a deleted stream, with "hard,version,position" as its detail (hard as t or f). */
const STREAM_DELETED = 'EL410';
/** An id stored by another writer after the look-up and before our INSERT: call again. */
const ID_TAKEN_MEANWHILE = 'events_id_key';
const MAX_CALLS = 3;

/**
 * Appends a batch to one stream, all or nothing, in one round trip. The expected version is
 * checked under the head row's lock, and `UNIQUE(stream, version)` guards the rest.
 * Re-sending a batch whose ids are all stored in this stream is a successful no-op.
 */
export async function appendToPgStream(
  pool: pg.Pool,
  target: PgTarget,
  stream: string,
  events: readonly NewEvent[],
  options: AppendOptions = {},
): Promise<AppendResult> {
  const prepared = checkBatch(stream, events);
  const expected = options.expectedVersion ?? 'any';
  const recordedAt = toRecordedAt(options.now?.() ?? new Date());
  const rows = eventRowsToWrite(stream, prepared, { version: 0, recordedAt, newId: newEventId });
  const values = [
    stream,
    String(expected),
    // Only the ids the caller gave may be stored already: the ones drawn here are new.
    idsOf(prepared),
    rows.map((row) => row.id),
    rows.map((row) => row.type),
    rows.map((row) => row.data),
    rows.map((row) => row.metadata),
    rows.map((row) => row.schemaVersion),
    recordedAt,
  ];
  for (let call = 1; ; call += 1) {
    let row: AppendRow;
    try {
      const result = await pool.query<AppendRow>({
        name: 'eventlite.appendEvents',
        text: APPEND_EVENTS,
        values,
        rowMode: 'array',
      });
      row = result.rows[0]!;
    } catch (error) {
      if (call < MAX_CALLS && constraintOf(error) === ID_TAKEN_MEANWHILE) continue;
      throw appendError(error, target, stream, expected);
    }
    const [outcome, headBefore, version, storedIds, storedIn] = row;
    if (outcome === 'stored') {
      const streamOf = new Map(storedIds!.map((id, index) => [id, storedIn![index]!]));
      // True for a retry; throws DuplicateEventIdError for an id stored elsewhere, or for a
      // batch only partly stored.
      isStoredBatch(stream, prepared, (id) => streamOf.get(id));
      return { stream, events: [], version, alreadyStored: true };
    }
    const first = Number(headBefore);
    const base = version - rows.length;
    return {
      stream,
      events: rows.map((written, index) =>
        eventFromInsertRow({ ...written, position: first + index + 1, version: base + index + 1 }),
      ),
      version,
      alreadyStored: false,
    };
  }
}

/** A version conflict as ConcurrencyError (stream, expected, actual); the rest translated. */
function appendError(
  error: unknown,
  target: PgTarget,
  stream: string,
  expected: ExpectedVersion,
): unknown {
  const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
  if (code === STREAM_DELETED) {
    const [hard, version, position] = String(detail).split(',');
    return new StreamDeletedError(stream, {
      hard: hard === 't',
      version: Number(version),
      position: Number(position),
    });
  }
  if (code === VERSION_CONFLICT) {
    checkExpectedVersion(stream, expected, Number(detail));
    return new StoreError(`${target.location}: a version conflict that the version fits`, {
      cause: error,
    });
  }
  return translatePgError(error, target);
}

function constraintOf(error: unknown): unknown {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' ? constraint : undefined;
}
