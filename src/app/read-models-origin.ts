import { StoreError } from '../core/errors.js';
import type { Check, EventStore, ProjectionRow, ReadStore } from '../core/ports.js';

// Read models are a fold of ONE store's log. A read database given to another store (the same
// --read-db for two stores, or a store replaced while its read database stayed beside it)
// would otherwise be caught up from the other log and mix both. So a read database records
// the id the store was stamped with at `init`, and what it has seen of the log is checked
// against the store's head: a store behind a checkpoint went backwards (restored, replaced).

const REBUILD_HINT = `"eventlite projections rebuild" rebuilds them from this store`;

/** What a read database says of its origin, beside the store at hand. */
interface Origin {
  storeId: string;
  recorded: string | undefined;
  rows: ProjectionRow[];
  head: number;
}

async function originOf(store: EventStore, read: ReadStore): Promise<Origin> {
  const rows = [...(await read.projectionRows()).values()];
  return {
    storeId: await store.storeId(),
    recorded: rows.length === 0 ? undefined : await read.builtFrom(),
    rows,
    head: await store.head(),
  };
}

/** Why these read models are not this store's, or undefined when they are (or hold nothing). */
function mismatchOf(origin: Origin, store: EventStore, read: ReadStore): string | undefined {
  if (origin.rows.length === 0) return undefined;
  if (origin.recorded !== undefined && origin.recorded !== origin.storeId) {
    return `the read models in ${read.location} were built from another store, not ${store.location} (store id ${origin.recorded}, this store is ${origin.storeId})`;
  }
  const seen = Math.max(...origin.rows.map((row) => row.checkpoint));
  if (seen > origin.head) {
    return `the read models in ${read.location} have seen events up to position ${seen}, but ${store.location} ends at ${origin.head} (was the store replaced or restored?)`;
  }
  return undefined;
}

/** Refuses read models built from another store, or from a store that has since gone back. */
export async function checkReadModelsOrigin(store: EventStore, read: ReadStore): Promise<void> {
  const mismatch = mismatchOf(await originOf(store, read), store, read);
  if (mismatch) throw new StoreError(`${mismatch}; ${REBUILD_HINT}`);
}

/** `verify`'s check of the same. */
export async function readModelsOriginCheck(store: EventStore, read: ReadStore): Promise<Check> {
  const origin = await originOf(store, read);
  const mismatch = mismatchOf(origin, store, read);
  return {
    name: 'read models built from this store',
    ok: mismatch === undefined,
    detail: mismatch ?? `store id ${origin.storeId}`,
  };
}

/**
 * Before projections run: refuses another store's read models, then records this store as
 * theirs (a read database with no projection yet is anyone's to take). A rebuild of every
 * projection the read database holds may take over another store's; its caller records the
 * new origin once the rebuild is done, with `adoptReadModels`.
 */
export async function claimReadModels(
  store: EventStore,
  read: ReadStore,
  options: { rebuilding?: readonly string[] } = {},
): Promise<void> {
  const origin = await originOf(store, read);
  const mismatch = mismatchOf(origin, store, read);
  if (mismatch) {
    const rebuilding = new Set(options.rebuilding ?? []);
    const left = origin.rows.filter((row) => !rebuilding.has(row.name)).map((row) => row.name);
    if (options.rebuilding && left.length === 0) return;
    const advice = options.rebuilding
      ? `; it also holds ${left.join(', ')}, which this rebuild leaves as they are: rebuild every projection, or delete ${read.location} (it holds only read models)`
      : `; ${REBUILD_HINT}`;
    throw new StoreError(`${mismatch}${advice}`);
  }
  const recorded = await read.recordBuiltFrom(origin.storeId, {
    replace: origin.rows.length === 0,
  });
  if (recorded !== origin.storeId) {
    throw new StoreError(
      `the read models in ${read.location} were just claimed by another store (store id ${recorded}); ${REBUILD_HINT}`,
    );
  }
}

/** After a rebuild of every projection the read database holds: they are this store's now. */
export async function adoptReadModels(store: EventStore, read: ReadStore): Promise<void> {
  await read.recordBuiltFrom(await store.storeId(), { replace: true });
}
