import type { JsonObject, RecordedEvent } from '../core/events.js';

/**
 * An event as it leaves the store: camelCase, with data and metadata still as the JSON text
 * that was stored, so output paths can copy them without a parse and re-stringify.
 */
export interface StoredEvent {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  dataJson: string;
  metadataJson: string;
  recordedAt: string;
}

/** The columns of `events`, renamed to a StoredEvent's keys. */
export const STORED_EVENT_COLUMNS =
  'position, stream, version, type, id, data AS dataJson, metadata AS metadataJson, recorded_at AS recordedAt';

export function toRecordedEvent(event: StoredEvent): RecordedEvent {
  return {
    position: event.position,
    stream: event.stream,
    version: event.version,
    type: event.type,
    id: event.id,
    data: JSON.parse(event.dataJson) as JsonObject,
    metadata: JSON.parse(event.metadataJson) as JsonObject,
    recordedAt: event.recordedAt,
  };
}

interface InsertedRow {
  id: string;
  stream: string;
  version: number;
  type: string;
  data: string;
  metadata: string;
  recordedAt: string;
}

export function toStoredEvents(rows: readonly InsertedRow[], positions: number[]): StoredEvent[] {
  return rows.map((row, index) => ({
    position: positions[index]!,
    stream: row.stream,
    version: row.version,
    type: row.type,
    id: row.id,
    dataJson: row.data,
    metadataJson: row.metadata,
    recordedAt: row.recordedAt,
  }));
}

/**
 * The contract's event shape as one line of JSON, keys in contract order. Data and metadata
 * are spliced in as stored: they were written by JSON.stringify, so they are already canonical.
 */
export function formatEventJson(event: StoredEvent): string {
  return (
    `{"position":${event.position},"stream":${JSON.stringify(event.stream)},` +
    `"version":${event.version},"type":${JSON.stringify(event.type)},"id":"${event.id}",` +
    `"data":${event.dataJson},"metadata":${event.metadataJson},"recordedAt":"${event.recordedAt}"}`
  );
}
