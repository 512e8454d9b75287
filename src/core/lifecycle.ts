import { InputError, NotFoundError, StoreError } from './errors.js';
import type { JsonObject, NewEvent } from './events.js';

// The audited lifecycle commands (docs/lifecycle.md): `streams delete [--hard]`,
// `streams restore`, `redact` and `forget`. Each records what it did as an audit event in the
// store's own system stream, in the same transaction as the change. Audit events are in `log`
// and `export` like any event, but no decider owns their stream, no projection's `on` sees
// them, and nothing removes them.

/** The store's own stream of audit events. `$`: like KurrentDB's system streams. */
export const SYSTEM_STREAM = '$eventlite';

export const AUDIT_TYPES = {
  streamDeleted: 'StreamDeleted',
  streamRestored: 'StreamRestored',
  eventsRedacted: 'EventsRedacted',
  subjectForgotten: 'SubjectForgotten',
} as const;

export type AuditType = (typeof AUDIT_TYPES)[keyof typeof AUDIT_TYPES];
const AUDIT_TYPE_NAMES: ReadonlySet<string> = new Set(Object.values(AUDIT_TYPES));

export function isAuditType(type: string): type is AuditType {
  return AUDIT_TYPE_NAMES.has(type);
}

/** Inclusive runs of positions or versions: [[3, 5], [9, 9]] is 3, 4, 5 and 9. */
export type Ranges = [number, number][];

/**
 * What every audit event's data holds about the events it changed: which (as runs of versions
 * and positions), how many, the first position of each type (how a projection tells whether it
 * read one), and a SHA-256 of the stored event lines before the change.
 */
export interface AffectedSummary {
  events: number;
  versions: Ranges;
  positions: Ranges;
  types: Record<string, number>;
  sha256: string;
}

export interface StreamDeletedData extends Partial<AffectedSummary> {
  /** The store it happened in: an imported audit event describes another store's log. */
  store: string;
  stream: string;
  hard: boolean;
  /** The stream's version when it was deleted. */
  version: number;
}

export interface StreamRestoredData {
  store: string;
  stream: string;
  version: number;
}

export interface EventsRedactedData extends AffectedSummary {
  store: string;
  stream: string;
  fields: string[];
}

export interface SubjectForgottenData extends AffectedSummary {
  store: string;
  subject: string;
  /** How many keys were deleted, and the streams whose events held the subject's data. */
  keys: number;
  streams: string[];
  /** Events whose declared fields were stored unsealed and now hold "[forgotten]". */
  rewritten: number;
}

/** A stream is refused because it was deleted: exit 5, saying how and at which version. */
export class StreamDeletedError extends NotFoundError {
  constructor(
    readonly stream: string,
    readonly deleted: DeletedStream,
  ) {
    super(
      deleted.hard
        ? `stream "${stream}" was deleted for good at version ${deleted.version} (position ${deleted.position})`
        : `stream "${stream}" was deleted at version ${deleted.version} (position ${deleted.position}); "eventlite streams restore ${stream}" brings it back`,
    );
  }
}

/** How a stream was deleted, by the audit event at `position`. */
export interface DeletedStream {
  hard: boolean;
  version: number;
  position: number;
}

/** Writes to the system stream are eventlite's own: refused anywhere else. */
export function refuseSystemStream(stream: string, doing = 'takes no appends'): void {
  if (stream === SYSTEM_STREAM) {
    throw new InputError(`stream "${SYSTEM_STREAM}" is eventlite's own audit log; it ${doing}`);
  }
}

/** The audit event as the adapter appends it to the system stream. */
export function auditEvent(type: AuditType, data: object): NewEvent {
  return { type, data: data as JsonObject, metadata: {} };
}

/** `1..3, 7` for messages. */
export function describeRanges(ranges: Ranges): string {
  return ranges
    .map(([first, last]) => (first === last ? `${first}` : `${first}..${last}`))
    .join(', ');
}

/**
 * What an imported audit event says about a stream's deletion, for the importing store to
 * follow (its positions and versions are the exporting store's, so only this carries over).
 */
export type ImportedDeletion =
  { stream: string; change: 'soft' | 'hard' } | { stream: string; change: 'restored' };

export function importedDeletion(event: {
  stream: string;
  type: string;
  data: JsonObject;
}): ImportedDeletion | undefined {
  if (event.stream !== SYSTEM_STREAM) return undefined;
  const stream = event.data.stream;
  if (typeof stream !== 'string' || stream === SYSTEM_STREAM) return undefined;
  if (event.type === AUDIT_TYPES.streamRestored) return { stream, change: 'restored' };
  if (event.type !== AUDIT_TYPES.streamDeleted) return undefined;
  return { stream, change: event.data.hard === true ? 'hard' : 'soft' };
}

/**
 * The runs of positions this store's hard deletes removed, from the data of its StreamDeleted
 * audit events (JSON text). Imported audit events name another store and account for nothing.
 */
export function auditedHoles(auditData: readonly string[], storeId: string): Ranges {
  const holes: Ranges = [];
  for (const text of auditData) {
    const data = JSON.parse(text) as Partial<StreamDeletedData>;
    if (data.store !== storeId || data.hard !== true || !Array.isArray(data.positions)) continue;
    for (const range of data.positions) {
      if (Array.isArray(range) && range.length === 2 && range.every(Number.isSafeInteger)) {
        holes.push([range[0], range[1]]);
      }
    }
  }
  return holes;
}

/**
 * What an import does with an event of a stream deleted here: 'deleted' leaves out one of a
 * stream deleted for good (an older export never brings it back), 'stored' skips a retry of
 * one stored in a hidden stream, and a new event of a hidden stream is refused (restore the
 * stream first). 'insert' for every other event.
 */
export function admitImported(
  event: { stream: string },
  deleted: DeletedStream | undefined,
  storedInSameStream: () => boolean,
): 'insert' | 'deleted' | 'stored' {
  if (!deleted) return 'insert';
  if (deleted.hard) return 'deleted';
  if (storedInSameStream()) return 'stored';
  throw new StreamDeletedError(event.stream, deleted);
}

/**
 * Whether the importing store follows an imported deletion of a stream it holds at `version`:
 * a stream to hide must hold events, one deleted for good must hold none (an import never
 * deletes events), and a stream deleted here already stays as it is.
 */
export function followsImportedDeletion(
  deletion: ImportedDeletion & { change: 'soft' | 'hard' },
  version: number,
  deletedHere: boolean,
): boolean {
  return !deletedHere && (deletion.change === 'hard') === (version === 0);
}

/**
 * What an import does with a subject key (`import --keys`): one this store forgot stays
 * forgotten, one stored already is skipped, and one stored with other bytes is refused.
 */
export function admitImportedKey(
  key: { keyId: string; key: Uint8Array },
  forgottenHere: boolean,
  stored: Uint8Array | undefined,
): 'insert' | 'forgotten' | 'stored' {
  if (forgottenHere) return 'forgotten';
  if (stored === undefined) return 'insert';
  if (Buffer.from(stored).equals(Buffer.from(key.key))) return 'stored';
  throw new StoreError(`key ${key.keyId} is stored here with other bytes; refusing to replace it`);
}

/** The counts an ImportSummary carries of what an import respected, each only when not zero. */
export function importLifecycleCounts(counts: {
  leftOut: number;
  keys: number;
  forgottenKeys: number;
}): { leftOut?: number; keys?: number; forgottenKeys?: number } {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}
