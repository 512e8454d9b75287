import type { FieldPath } from '../core/field-path.js';
import type { AffectedSummary, Ranges } from '../core/lifecycle.js';
import type { PersonalFields } from '../core/personal-data.js';
import { eventJsonLine, type StoredEvent } from '../core/recorded-event.js';
import { forgottenPlaintext, redactedData } from '../core/redaction.js';
import { sha256 } from './crypto.js';

/**
 * Tallies the events a lifecycle command changes, in position order, into an AffectedSummary.
 * `line` is the event's stored line before the change (eventJsonLine): the hash covers it.
 */
export class AffectedEvents {
  readonly #positions: Ranges = [];
  readonly #versions = new Map<string, Ranges>();
  readonly #types: Record<string, number> = {};
  readonly streams = new Set<string>();
  readonly #hash = sha256();
  count = 0;

  add(event: { position: number; version: number; stream: string; type: string }, line: string) {
    extend(this.#positions, event.position);
    let versions = this.#versions.get(event.stream);
    if (!versions) this.#versions.set(event.stream, (versions = []));
    extend(versions, event.version);
    this.streams.add(event.stream);
    if (!Object.hasOwn(this.#types, event.type)) {
      Object.defineProperty(this.#types, event.type, {
        value: event.position,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    this.#hash.update(`${line}\n`);
    this.count += 1;
  }

  /** Adds what else was removed (a deleted key) to the hash. */
  note(text: string): void {
    this.#hash.update(`${text}\n`);
  }

  /** The summary; `versions` are those of `stream` (one stream's commands). */
  summary(stream?: string): AffectedSummary {
    const versions = stream === undefined ? [] : (this.#versions.get(stream) ?? []);
    return {
      events: this.count,
      versions,
      positions: this.#positions,
      types: this.#types,
      sha256: this.#hash.digest('hex'),
    };
  }
}

/** Adds `value` to sorted ranges, extending the last run when it follows on. */
function extend(ranges: Ranges, value: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last[1] + 1 === value) last[1] = value;
  else ranges.push([value, value]);
}

/** A change a lifecycle command writes: an event's new data, by position. */
export type DataChange = [data: string, position: number];

/**
 * For `redact`: the events (of the wanted versions) that hold any of the paths, tallied into
 * `affected`, and the data each is rewritten to.
 */
export function redactionsOf(
  events: Iterable<StoredEvent>,
  paths: readonly FieldPath[],
  versions: ReadonlySet<number> | undefined,
  affected: AffectedEvents,
): DataChange[] {
  const changes: DataChange[] = [];
  for (const event of events) {
    if (versions && !versions.has(event.version)) continue;
    const redacted = redactedData(event.dataJson, paths);
    if (redacted === undefined) continue;
    affected.add(event, eventJsonLine(event));
    changes.push([redacted, event.position]);
  }
  return changes;
}

/**
 * For `forget`: the events that hold the subject's data, sealed with one of its keys (found by
 * `markers`) or stored unsealed in a declared field, tallied into `affected`; and the data of
 * those of the second kind rewritten with "[forgotten]".
 */
export function forgettingsOf(
  events: Iterable<StoredEvent>,
  subject: string,
  declared: ReadonlyMap<string, PersonalFields>,
  markers: readonly string[],
  affected: AffectedEvents,
): DataChange[] {
  const changes: DataChange[] = [];
  for (const event of events) {
    const rewritten = forgottenPlaintext(event.dataJson, declared.get(event.type), subject);
    const sealed = markers.some((marker) => event.dataJson.includes(marker));
    if (rewritten === undefined && !sealed) continue;
    affected.add(event, eventJsonLine(event));
    if (rewritten !== undefined) changes.push([rewritten, event.position]);
  }
  return changes;
}
