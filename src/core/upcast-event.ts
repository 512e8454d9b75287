import type { JsonObject, RecordedEvent } from './events.js';
import { contractShape } from './recorded-event.js';

/**
 * A stored event as the domain reads it today: its type renamed, its data upcast to the
 * current version. Everything else is the stored event's own, and read from it only when
 * asked: a lean event (see LeanPage) stays lean until a handler reads its stream, id or
 * metadata.
 */
export class UpcastEvent implements RecordedEvent {
  readonly position: number;
  readonly version: number;
  readonly recordedAt: string;

  constructor(
    /** The event as stored. */
    readonly stored: RecordedEvent,
    readonly type: string,
    readonly schemaVersion: number,
    readonly data: JsonObject,
  ) {
    this.position = stored.position;
    this.version = stored.version;
    this.recordedAt = stored.recordedAt;
  }

  get stream(): string {
    return this.stored.stream;
  }

  get id(): string {
    return this.stored.id;
  }

  get metadata(): JsonObject {
    return this.stored.metadata;
  }

  /** The stored metadata's text, when the stored event keeps it: printed as stored. */
  get metadataJson(): string | undefined {
    const text = (this.stored as { metadataJson?: unknown }).metadataJson;
    return typeof text === 'string' ? text : undefined;
  }

  toJSON(): RecordedEvent {
    return contractShape(this);
  }
}
