import type { EventRowToWrite } from '../../core/batch.js';
import type pg from 'pg';
import { storedEventFromRow, type StoredEvent } from '../../core/recorded-event.js';
import type { SetAsideEvent } from '../../core/set-aside.js';

// The SQL and row shapes of eventlite.events that more than one operation uses: what a read
// selects and how its rows become events, and how the writers (append, import) insert.

/** The columns every event read selects, in the order `eventFromArray` expects. */
export const EVENT_COLUMNS =
  'position, stream, version, type, id, data, metadata, recorded_at, schema_version';

/** A row of EVENT_COLUMNS in pg's array row mode; `position` is a bigint, which pg gives as text. */
export type EventArrayRow = [
  string,
  string,
  number,
  string,
  string,
  string,
  string,
  string,
  number,
];

export function eventFromArray(row: EventArrayRow): StoredEvent {
  return storedEventFromRow({
    position: Number(row[0]),
    stream: row[1],
    version: row[2],
    type: row[3],
    id: row[4],
    dataJson: row[5],
    metadataJson: row[6],
    recordedAt: row[7],
    schemaVersion: row[8],
  });
}

/** One event as the writers insert it. */
export interface EventInsertRow extends EventRowToWrite {
  position: number;
}

// One statement per chunk, its columns as arrays: a round trip per event would cap an import
// at a few thousand events a second.
const INSERT_CHUNK = 5000;
const INSERT_EVENTS = `INSERT INTO eventlite.events
  (position, id, stream, version, type, data, metadata, recorded_at, schema_version)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[],
                       $6::text[], $7::text[], $8::text[], $9::integer[])`;

export async function insertEvents(
  client: pg.ClientBase,
  rows: readonly EventInsertRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    await client.query({
      name: 'eventlite.insertEvents',
      text: INSERT_EVENTS,
      values: [
        chunk.map((row) => row.position),
        chunk.map((row) => row.id),
        chunk.map((row) => row.stream),
        chunk.map((row) => row.version),
        chunk.map((row) => row.type),
        chunk.map((row) => row.data),
        chunk.map((row) => row.metadata),
        chunk.map((row) => row.recordedAt),
        chunk.map((row) => row.schemaVersion),
      ],
    });
  }
}

export function eventFromInsertRow(row: EventInsertRow): StoredEvent {
  return storedEventFromRow({
    position: row.position,
    stream: row.stream,
    version: row.version,
    type: row.type,
    id: row.id,
    dataJson: row.data,
    metadataJson: row.metadata,
    recordedAt: row.recordedAt,
    schemaVersion: row.schemaVersion,
  });
}

/**
 * Set-aside events as the column arrays of an insert from `unnest(...)`, in the one order that
 * both tables holding them take (a projection's in the read schema, a subscription's in the
 * store's): position, stream, type, kind, error, attempts.
 */
export function setAsideColumns(events: readonly SetAsideEvent[]): unknown[][] {
  return [
    events.map((event) => event.position),
    events.map((event) => event.stream),
    events.map((event) => event.type),
    events.map((event) => event.kind),
    events.map((event) => event.error),
    events.map((event) => event.attempts),
  ];
}
