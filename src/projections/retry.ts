import { StoreError } from '../core/errors.js';
import type { RetryBatch } from '../core/ports.js';
import { statementsFor, type Projection } from '../core/projection.js';
import type { SetAsideKind } from '../core/set-aside.js';
import { DEFAULT_BATCH_SIZE, type Stores } from './catch-up.js';
import type { DefinitionHashes } from './definition.js';
import { applyWithPolicy, type ParkedStreams } from './on-error.js';

export interface RetryOptions {
  /** Skipped events too, not only parked ones. */
  skipped?: boolean;
  batchSize?: number;
  now: () => string;
}

export interface RetryResult {
  /** Events applied this time, their records gone. */
  applied: number;
  /** Events that failed again (or wait behind one that did), still set aside. */
  setAside: number;
}

/**
 * Applies a projection's parked events again (and its skipped ones, with `skipped`) with its
 * handlers as they are now: in position order, a batch per transaction, each applied event's
 * record removed in its batch's transaction. An event that fails again keeps its kind and gets
 * the new error; the later events of a parked one's stream stay parked behind it, so a stream
 * is still applied in order. No checkpoint moves: these events are behind it.
 */
export async function retrySetAside(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: RetryOptions,
): Promise<RetryResult> {
  const rows = (await stores.read.setAsideEvents(projection.name)).filter(
    (row) => row.kind === 'parked' || options.skipped,
  );
  const kinds = new Map<number, SetAsideKind>(rows.map((row) => [row.position, row.kind]));
  const parked: ParkedStreams = new Map();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const result: RetryResult = { applied: 0, setAside: 0 };
  for (let start = 0; start < rows.length; start += batchSize) {
    const positions = rows.slice(start, start + batchSize).map((row) => row.position);
    const events = await stores.events.readPositions(positions);
    const guard = {
      version: projection.version,
      definitionHash: hashes.definition,
      at: options.now(),
    };
    const retried: RetryBatch = {
      events,
      statementsFor: (event) => statementsFor(projection, event),
      materializedViews: projection.materializedViews ?? [],
    };
    const { result: applied, batch } = await applyWithPolicy(
      projection,
      retried,
      parked,
      (attempt) => stores.read.applySetAside(projection.name, attempt, guard),
      { policyOf: (event) => (kinds.get(event.position) === 'skipped' ? 'skip' : 'park') },
    );
    if (!applied) {
      throw new StoreError(
        `projection "${projection.name}" was replaced by another process with a different definition; run again`,
      );
    }
    result.applied += batch.events.length;
    result.setAside += batch.setAside?.length ?? 0;
  }
  return result;
}
