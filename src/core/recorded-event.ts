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
    readonly schemaVersion = 1,
  ) {}

  get data(): JsonObject {
    return (this.#data ??= JSON.parse(this.dataJson) as JsonObject);
  }

  get metadata(): JsonObject {
    return (this.#metadata ??= JSON.parse(this.metadataJson) as JsonObject);
  }

  /** The contract's event shape, keys in contract order. */
  toJSON(): RecordedEvent {
    return contractShape(this);
  }
}

/**
 * An event's fields as a plain object, keys in contract order. `schemaVersion` only when it
 * is not 1, so that the events of a store without versions look as they always did.
 */
export function contractShape(event: RecordedEvent): RecordedEvent {
  const shape: RecordedEvent = {
    position: event.position,
    stream: event.stream,
    version: event.version,
    type: event.type,
    id: event.id,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  };
  const schemaVersion = event.schemaVersion ?? 1;
  if (schemaVersion === 1) return shape;
  const { position, stream, version, type, ...rest } = shape;
  return { position, stream, version, type, schemaVersion, ...rest };
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
  schemaVersion: number;
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
    row.schemaVersion,
  );
}

/**
 * The contract's event shape as one line of JSON. A StoredEvent's data and metadata are spliced
 * in as stored: JSON.stringify wrote them, so they are canonical already. `schemaVersion`
 * follows the type, and only when it is not 1 (see contractShape).
 */
export function eventJsonLine(event: RecordedEvent): string {
  const stored = event instanceof StoredEvent;
  const data = stored ? event.dataJson : JSON.stringify(event.data);
  const metadata = stored ? event.metadataJson : metadataJsonOf(event);
  const schemaVersion = event.schemaVersion ?? 1;
  const versioned = schemaVersion === 1 ? '' : `,"schemaVersion":${schemaVersion}`;
  return (
    `{"position":${event.position},"stream":${JSON.stringify(event.stream)},` +
    `"version":${event.version},"type":${JSON.stringify(event.type)}${versioned},` +
    `"id":"${event.id}","data":${data},"metadata":${metadata},"recordedAt":"${event.recordedAt}"}`
  );
}

/** The metadata's stored text when the event carries it (an upcast event's source does). */
function metadataJsonOf(event: RecordedEvent): string {
  const text = (event as { metadataJson?: unknown }).metadataJson;
  return typeof text === 'string' ? text : JSON.stringify(event.metadata);
}

/** The rest of a lean page's rows, in position order: [position, stream, id, metadata JSON]. */
export type LeanRest = readonly (readonly [number, string, string, string])[];

/**
 * A page of events read for a projection. Most handlers read an event's type, data and time
 * and never its stream, id or metadata; fetching those three columns was a third of a
 * catch-up's reading. A lean page leaves them out, and fetches them for the whole page, with
 * one more query, the first time any of its events is asked for one.
 */
export class LeanPage {
  readonly events: LeanEvent[] = [];
  #filled = false;

  constructor(private readonly fetchRest: (first: number, last: number) => LeanRest) {}

  /** Whether a reader has asked for what the page left out. */
  get filled(): boolean {
    return this.#filled;
  }

  add(
    position: number,
    version: number,
    type: string,
    dataJson: string,
    recordedAt: string,
    schemaVersion: number,
  ): void {
    this.events.push(
      new LeanEvent(this, position, version, type, dataJson, recordedAt, schemaVersion),
    );
  }

  fill(): void {
    if (this.#filled) return;
    const events = this.events;
    const first = events[0];
    const last = events[events.length - 1];
    if (!first || !last) return;
    // The rows between the first and the last position may include events of other types
    // (a page read for some types only): walk both in position order.
    let index = 0;
    for (const [position, stream, id, metadataJson] of this.fetchRest(
      first.position,
      last.position,
    )) {
      const event = events[index];
      if (event?.position !== position) continue;
      event.complete(stream, id, metadataJson);
      index += 1;
    }
    if (index !== events.length) throw new Error('an event of a lean page vanished from the log');
    this.#filled = true;
  }
}

/** An event of a LeanPage: reading its stream, id or metadata fills the page. */
export class LeanEvent implements RecordedEvent {
  #data: JsonObject | undefined;
  #metadata: JsonObject | undefined;
  #stream = '';
  #id = '';
  #metadataJson = '';

  readonly #page: LeanPage;

  constructor(
    page: LeanPage,
    readonly position: number,
    readonly version: number,
    readonly type: string,
    readonly dataJson: string,
    readonly recordedAt: string,
    readonly schemaVersion: number,
  ) {
    this.#page = page;
  }

  /** Called by the page when it fills. */
  complete(stream: string, id: string, metadataJson: string): void {
    this.#stream = stream;
    this.#id = id;
    this.#metadataJson = metadataJson;
  }

  get stream(): string {
    this.#page.fill();
    return this.#stream;
  }

  get id(): string {
    this.#page.fill();
    return this.#id;
  }

  get metadataJson(): string {
    this.#page.fill();
    return this.#metadataJson;
  }

  get data(): JsonObject {
    return (this.#data ??= JSON.parse(this.dataJson) as JsonObject);
  }

  get metadata(): JsonObject {
    return (this.#metadata ??= JSON.parse(this.metadataJson) as JsonObject);
  }

  /** Whether its page has fetched what it left out. */
  get filled(): boolean {
    return this.#page.filled;
  }

  toJSON(): RecordedEvent {
    return contractShape(this);
  }
}
