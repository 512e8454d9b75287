import type { ProjectionRow } from '../core/ports.js';
import type { Projection } from '../core/projection.js';
import { staleReason } from './definition.js';
import { lifecycleStaleReason, type LifecycleAudit } from './lifecycle.js';

export type ProjectionStatus = 'ok' | 'behind' | 'stale' | 'failed' | 'rebuilding';

export interface ProjectionState {
  name: string;
  version: number;
  status: ProjectionStatus;
  checkpoint: number;
  head: number;
  lag: number;
  lastRunAt: string | null;
  /** Events set aside by its onError policy, still on record. */
  parked: number;
  skipped: number;
  /** Why it is stale, or what it failed on; null otherwise. */
  detail: string | null;
}

/**
 * The state of each defined projection, from the rows its read store keeps (none before the
 * read database exists: every projection is then at checkpoint 0) and the store's head.
 */
export function projectionStates(
  rows: ReadonlyMap<string, ProjectionRow>,
  head: number,
  projections: readonly Projection[],
  audits: readonly LifecycleAudit[] = [],
): ProjectionState[] {
  return projections.map((projection) => {
    const row = rows.get(projection.name);
    const checkpoint = row?.checkpoint ?? 0;
    const { status, detail } = row ? statusOf(row, projection, head, audits) : fresh(head);
    return {
      name: projection.name,
      version: projection.version,
      status,
      checkpoint,
      head,
      lag: Math.max(head - checkpoint, 0),
      lastRunAt: row?.lastRunAt ?? null,
      parked: row?.parked ?? 0,
      skipped: row?.skipped ?? 0,
      detail,
    };
  });
}

function fresh(head: number): { status: ProjectionStatus; detail: string | null } {
  return head > 0 ? { status: 'behind', detail: 'never run' } : { status: 'ok', detail: null };
}

function statusOf(
  row: ProjectionRow,
  projection: Projection,
  head: number,
  audits: readonly LifecycleAudit[],
): { status: ProjectionStatus; detail: string | null } {
  if (row.rebuildingPid !== null)
    return { status: 'rebuilding', detail: `since ${row.rebuildingSince}` };
  const stale =
    staleReason(row, projection) ?? lifecycleStaleReason(row.checkpoint, projection, audits);
  if (stale) return { status: 'stale', detail: stale };
  if (row.status === 'failed' && row.failedPosition === null) {
    return { status: 'failed', detail: `in its setup: ${row.error}` };
  }
  if (row.status === 'failed') {
    return {
      status: 'failed',
      detail: `at event ${row.failedPosition} (stream "${row.failedStream}", type ${row.failedType}): ${row.error}`,
    };
  }
  return row.checkpoint < head
    ? { status: 'behind', detail: null }
    : { status: 'ok', detail: null };
}
