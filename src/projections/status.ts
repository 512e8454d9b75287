import type { Projection } from '../core/projection.js';
import { headPosition, type Db } from '../store/index.js';
import { staleReason } from './definition.js';
import { readProjectionRows, type ProjectionRow } from './registry.js';
import { hasProjectionTables } from './read-only.js';
import { isAlive } from './scratch-file.js';

export type ProjectionStatus = 'ok' | 'behind' | 'stale' | 'failed' | 'rebuilding';

export interface ProjectionState {
  name: string;
  version: number;
  status: ProjectionStatus;
  checkpoint: number;
  head: number;
  lag: number;
  lastRunAt: string | null;
  /** Why it is stale, or what it failed on; null otherwise. */
  detail: string | null;
}

/**
 * The state of each defined projection. `read` is undefined when the read database does not
 * exist yet: every projection is then at checkpoint 0.
 */
export function projectionStates(
  store: Db,
  read: Db | undefined,
  projections: readonly Projection[],
): ProjectionState[] {
  const head = headPosition(store);
  const rows =
    read && hasProjectionTables(read) ? readProjectionRows(read) : new Map<string, ProjectionRow>();
  return projections.map((projection) => {
    const row = rows.get(projection.name);
    const checkpoint = row?.checkpoint ?? 0;
    const { status, detail } = row ? statusOf(row, projection, head) : fresh(head);
    return {
      name: projection.name,
      version: projection.version,
      status,
      checkpoint,
      head,
      lag: Math.max(head - checkpoint, 0),
      lastRunAt: row?.lastRunAt ?? null,
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
): { status: ProjectionStatus; detail: string | null } {
  if (row.rebuildingPid !== null && isAlive(row.rebuildingPid)) {
    return { status: 'rebuilding', detail: `since ${row.rebuildingSince}` };
  }
  const stale = staleReason(row, projection);
  if (stale) return { status: 'stale', detail: stale };
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
