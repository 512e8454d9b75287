import type { AffectedSummary, Ranges } from '../core/lifecycle.js';
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
