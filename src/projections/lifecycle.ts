import type { JsonObject } from '../core/events.js';
import { AUDIT_TYPES, SYSTEM_STREAM } from '../core/lifecycle.js';
import type { EventStore } from '../core/ports.js';
import type { Projection } from '../core/projection.js';

// A lifecycle command (docs/lifecycle.md) removes or rewrites events that projections may have
// read. Its audit event says which types were affected and from which position on, so a
// projection whose checkpoint reached one of those events, and that the audit event lies
// ahead of, holds rows derived from what is gone: it is stale, and rebuilt before it catches
// up past the audit event. A projection with `onLifecycle` handles audit events itself instead.

/** An audit event of this store that removed or rewrote events. */
export interface LifecycleAudit {
  position: number;
  /** Each affected event type with its first affected position. */
  types: Record<string, number>;
  reason: string;
}

/** This store's audit events that removed or rewrote events, in position order. */
export async function readLifecycleAudits(events: EventStore): Promise<LifecycleAudit[]> {
  const storeId = await events.storeId();
  const audits: LifecycleAudit[] = [];
  for await (const page of events.readStream(SYSTEM_STREAM)) {
    for (const event of page) {
      const data = event.data;
      if (data.store !== storeId || typeof data.types !== 'object' || data.types === null) continue;
      const reason = reasonOf(event.type, data);
      if (reason === undefined) continue;
      audits.push({
        position: event.position,
        types: data.types as Record<string, number>,
        reason: `${reason} at position ${event.position}`,
      });
    }
  }
  return audits;
}

function reasonOf(type: string, data: JsonObject): string | undefined {
  switch (type) {
    case AUDIT_TYPES.streamDeleted:
      return data.hard === true
        ? `stream "${String(data.stream)}" was deleted for good`
        : undefined;
    case AUDIT_TYPES.eventsRedacted:
      return `events of stream "${String(data.stream)}" were redacted`;
    case AUDIT_TYPES.subjectForgotten:
      return `subject "${String(data.subject)}" was forgotten`;
    default:
      return undefined;
  }
}

/**
 * Why a projection at `checkpoint` must be rebuilt before it goes on: the first audit event
 * past its checkpoint that affected an event type it handles at or before it. Undefined when
 * none did, or when the projection handles audit events itself.
 */
export function lifecycleStaleReason(
  checkpoint: number,
  projection: Projection,
  audits: readonly LifecycleAudit[],
): string | undefined {
  if (projection.onLifecycle) return undefined;
  for (const audit of audits) {
    if (audit.position <= checkpoint) continue;
    for (const [type, first] of Object.entries(audit.types)) {
      if (first <= checkpoint && Object.hasOwn(projection.on, type)) return audit.reason;
    }
  }
  return undefined;
}
