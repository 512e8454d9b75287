import type { Projection } from '../core/projection.js';
import { catchUpProjection, type CatchUpOptions, type Stores } from './catch-up.js';
import {
  definitionHashes,
  isFixAfterFailure,
  staleReason,
  type DefinitionHashes,
} from './definition.js';
import { projectionSchema, rebuildProjection } from './rebuild.js';

export interface RunOptions extends CatchUpOptions {
  /** Rebuild from event 1 even when the stored tables match the definition. */
  rebuild?: boolean;
  /** Why something unusual is happening (a stale projection being rebuilt), for stderr. */
  onNotice?: (text: string) => void;
}

export interface RunResult {
  name: string;
  checkpoint: number;
}

/**
 * Brings each projection's tables in line with its definition (creating them on first run,
 * rebuilding them when the definition changed or `rebuild` asks) and catches it up.
 */
export async function runProjections(
  stores: Stores,
  projections: readonly Projection[],
  options: RunOptions,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const projection of projections) {
    if (options.signal?.aborted) break;
    const hashes = definitionHashes(projection);
    const ready = await prepareProjection(stores, projection, hashes, options);
    if (!ready) break;
    const checkpoint = await catchUpProjection(stores, projection, hashes, options);
    results.push({ name: projection.name, checkpoint });
  }
  return results;
}

/** False when a rebuild was interrupted. */
async function prepareProjection(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: RunOptions,
): Promise<boolean> {
  const row = await stores.read.projectionRow(projection.name);
  if (!row) {
    // First run: the tables are created empty at checkpoint 0 and filled batch by batch, so a
    // first catch-up that is killed keeps what it committed (there are no old tables to protect).
    await stores.read.createProjection(projectionSchema(projection, hashes), options.now());
    return true;
  }
  const reason = options.rebuild ? 'asked to' : staleReason(row, projection);
  if (reason) {
    options.onNotice?.(`rebuilding projection "${projection.name}" from event 1 (${reason})`);
    return (await rebuildProjection(stores, projection, hashes, options)) !== undefined;
  }
  if (row.definitionHash !== hashes.definition && isFixAfterFailure(row)) {
    options.onNotice?.(
      `projection "${projection.name}": handlers changed since it failed at event ${row.failedPosition}; continuing from checkpoint ${row.checkpoint}`,
    );
    await stores.read.adoptDefinitionHash(projection.name, hashes.definition);
  }
  return true;
}
