import type { JsonObject, RecordedEvent } from './events.js';

/**
 * The one shape every read returns: a RecordedEvent whose data and metadata are parsed from the
 * stored JSON text the first time they are read. A projection handler for another event type,
 * or `eventlite log` copying the text to stdout, never pays for a parse it does not need.
 * Read the fields; spreading an event (`{...event}`) leaves the two lazy fields behind, so use
 * `event.toJSON()` for a plain copy.
 */
export class StoredEvent implements RecordedEvent {
  #data: JsonObject | undefined;
  #metadata: JsonObject | undefined;

  constructor(
    readonly position: number,
    readonly stream: string,
    readonly version: number,
    readonly type: string,
    readonly id: string,
    /** The stored JSON text of `data`: canonical, as JSON.stringify wrote it. */
    readonly dataJson: string,
    readonly metadataJson: string,
    readonly recordedAt: string,
  ) {}

  get data(): JsonObject {
    return (this.#data ??= JSON.parse(this.dataJson) as JsonObject);
  }

  get metadata(): JsonObject {
    return (this.#metadata ??= JSON.parse(this.metadataJson) as JsonObject);
  }

  /** The contract's event shape, keys in contract order. */
  toJSON(): RecordedEvent {
    return {
      position: this.position,
      stream: this.stream,
      version: this.version,
      type: this.type,
      id: this.id,
      data: this.data,
      metadata: this.metadata,
      recordedAt: this.recordedAt,
    };
  }
}

/** A stored row as adapters read it, columns renamed to camelCase. */
export interface EventRow {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  dataJson: string;
  metadataJson: string;
  recordedAt: string;
}

export function storedEventFromRow(row: EventRow): StoredEvent {
  return new StoredEvent(
    row.position,
    row.stream,
    row.version,
    row.type,
    row.id,
    row.dataJson,
    row.metadataJson,
    row.recordedAt,
  );
}

/**
 * The contract's event shape as one line of JSON. A StoredEvent's data and metadata are spliced
 * in as stored: JSON.stringify wrote them, so they are canonical already.
 */
export function eventJsonLine(event: RecordedEvent): string {
  const stored = event instanceof StoredEvent;
  const data = stored ? event.dataJson : JSON.stringify(event.data);
  const metadata = stored ? event.metadataJson : JSON.stringify(event.metadata);
  return (
    `{"position":${event.position},"stream":${JSON.stringify(event.stream)},` +
    `"version":${event.version},"type":${JSON.stringify(event.type)},"id":"${event.id}",` +
    `"data":${data},"metadata":${metadata},"recordedAt":"${event.recordedAt}"}`
  );
}
