import { ProjectionFailedError, ProjectionsFailedError } from '../core/errors.js';
import { SetupFailure } from '../core/ports.js';
import type { Projection } from '../core/projection.js';
import {
  setupFailedError,
  setupFailureRecord,
  type CatchUpOptions,
  type Stores,
} from './catch-up.js';
import {
  definitionHashes,
  hasSetAside,
  isFixAfterFailure,
  staleReason,
  type DefinitionHashes,
} from './definition.js';
import { keepUp } from './keep-up.js';
import { projectionSchema, rebuildProjection } from './rebuild.js';

export interface RunOptions extends CatchUpOptions {
  /** Rebuild from event 1 even when the stored tables match the definition. */
  rebuild?: boolean;
  /** Why something unusual is happening (a stale projection being rebuilt), for stderr. */
  onNotice?: (text: string) => void;
  /** Each projection's result as soon as it is done with. */
  onResult?: (result: RunResult) => void;
}

/** What a run did to one projection. */
export interface RunResult {
  name: string;
  /** The checkpoint it started from: 0 when it was set up or rebuilt. */
  from: number;
  /** The checkpoint it reached. */
  checkpoint: number;
  /** Events this run applied to its tables (a rebuild's included). */
  events: number;
  /** Events this run set aside by the projection's onError (a rebuild's included). */
  parked: number;
  skipped: number;
  /** Whether its tables were rebuilt from event 1. */
  rebuilt: boolean;
  /** ok: caught up to the target; interrupted: stopped between batches. */
  status: 'ok' | 'failed' | 'interrupted';
  /** What it failed on, when it did. */
  error: ProjectionFailedError | null;
}

/**
 * Brings each projection's tables in line with its definition (creating them on first run,
 * rebuilding them when the definition changed or `rebuild` asks) and catches it up.
 *
 * A projection that fails (its setup or a handler) stops only itself: the others still run,
 * and once they have, the failure is thrown (a ProjectionsFailedError naming each, when more
 * than one failed). `onResult` hears of each projection as it is done, failed or not. Any
 * other error (the machine's) stops the run at once.
 */
export async function runProjections(
  stores: Stores,
  projections: readonly Projection[],
  options: RunOptions,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const projection of projections) {
    if (options.signal?.aborted) break;
    const result = await runOne(stores, projection, options);
    results.push(result);
    options.onResult?.(result);
  }
  const failures = results.flatMap((result) => (result.error ? [result.error] : []));
  if (failures.length === 1) throw failures[0]!;
  if (failures.length > 1) throw new ProjectionsFailedError(failures);
  return results;
}

async function runOne(
  stores: Stores,
  projection: Projection,
  options: RunOptions,
): Promise<RunResult> {
  let events = 0;
  const setAside = { parked: 0, skipped: 0 };
  const counting: RunOptions = {
    ...options,
    onApplied(name, applied, aside) {
      events += applied.length;
      for (const event of aside) setAside[event.kind] += 1;
      options.onApplied?.(name, applied, aside);
    },
  };
  const hashes = definitionHashes(projection);
  const before = await stores.read.projectionRow(projection.name);
  const result: RunResult = {
    name: projection.name,
    from: before?.checkpoint ?? 0,
    checkpoint: before?.checkpoint ?? 0,
    events: 0,
    parked: 0,
    skipped: 0,
    rebuilt: false,
    status: 'ok',
    error: null,
  };
  try {
    const prepared = await prepareProjection(stores, projection, hashes, counting);
    result.rebuilt = prepared.rebuilt;
    if (prepared.from !== undefined) result.from = prepared.from;
    if (!prepared.ready) return { ...result, events, ...setAside, status: 'interrupted' };
    const kept = await keepUp(stores, projection, hashes, counting);
    result.checkpoint = kept.checkpoint;
    if (kept.rebuilt) Object.assign(result, { rebuilt: true, from: 0 });
    if (kept.interrupted) return { ...result, events, ...setAside, status: 'interrupted' };
    const target = Math.min(await stores.events.head(), options.until ?? Infinity);
    const stopped = options.signal?.aborted && result.checkpoint < target;
    return { ...result, events, ...setAside, status: stopped ? 'interrupted' : 'ok' };
  } catch (error) {
    if (!(error instanceof ProjectionFailedError)) throw error;
    const row = await stores.read.projectionRow(projection.name);
    return {
      ...result,
      checkpoint: row?.checkpoint ?? 0,
      events,
      ...setAside,
      status: 'failed',
      error,
    };
  }
}

interface Prepared {
  /** False when a rebuild was interrupted. */
  ready: boolean;
  rebuilt: boolean;
  /** Where the catch-up starts when not where the row stood: 0 for new tables. */
  from?: number;
}

async function prepareProjection(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: RunOptions,
): Promise<Prepared> {
  let row = await stores.read.projectionRow(projection.name);
  if (row?.failedDuring === 'setup') {
    // Its setup failed on a first run, so it has no tables: set it up afresh.
    await stores.read.dropProjection(projection.name);
    row = undefined;
  }
  if (!row) {
    // First run: the tables are created empty at checkpoint 0 and filled batch by batch, so a
    // first catch-up that is killed keeps what it committed (there are no old tables to protect).
    await createProjection(stores, projection, hashes, options);
    return { ready: true, rebuilt: false, from: 0 };
  }
  const reason = options.rebuild ? 'asked to' : staleReason(row, projection);
  if (reason) {
    options.onNotice?.(`rebuilding projection "${projection.name}" from event 1 (${reason})`);
    const ready = (await rebuildProjection(stores, projection, hashes, options)) !== undefined;
    return { ready, rebuilt: ready, from: 0 };
  }
  if (row.definitionHash !== hashes.definition && isFixAfterFailure(row)) {
    options.onNotice?.(
      `projection "${projection.name}": handlers changed since it failed at event ${row.failedPosition}; continuing from checkpoint ${row.checkpoint}`,
    );
    await stores.read.adoptDefinitionHash(projection.name, hashes.definition);
  } else if (row.definitionHash !== hashes.definition && hasSetAside(row)) {
    options.onNotice?.(
      `projection "${projection.name}": handlers changed while events are set aside (${setAsideCount(row)}); continuing from checkpoint ${row.checkpoint} (apply them again with "eventlite projections retry ${projection.name}")`,
    );
    await stores.read.adoptDefinitionHash(projection.name, hashes.definition);
  }
  return { ready: true, rebuilt: false };
}

/** A setup that fails is the projection's failure, recorded on a row of its own. */
async function createProjection(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: RunOptions,
): Promise<void> {
  const schema = projectionSchema(projection, hashes);
  try {
    await stores.read.createProjection(schema, options.now());
  } catch (error) {
    if (!(error instanceof SetupFailure)) throw error;
    await stores.read.markSetupFailed(schema, setupFailureRecord(error, 'setup'), options.now());
    throw setupFailedError(projection, error);
  }
}

/** "2 parked, 1 skipped", as a notice says it. */
export function setAsideCount(row: { parked: number; skipped: number }): string {
  const parts: string[] = [];
  if (row.parked > 0) parts.push(`${row.parked} parked`);
  if (row.skipped > 0) parts.push(`${row.skipped} skipped`);
  return parts.join(', ');
}
