import type { RecordedEvent } from '../../../core/events.js';
import type { ProjectionSchema, ScratchBuild } from '../../../core/ports.js';
import { applyEvents, refreshMaterializedViews } from './apply.js';
import { markRebuilding } from './registry.js';
import { withStoreErrors } from '../errors.js';
import { createMaterializedViews } from './matviews.js';
import { runScript } from './catalog.js';
import { openScratchDatabase } from '../open.js';
import { removeAbandonedScratch, removeScratch, scratchPath } from './scratch.js';
import type { Db } from '../statements.js';
import { swapInRebuiltTables } from './swap.js';

/**
 * The new tables are built in a scratch SQLite file: no lock on the read database while
 * the log replays (which matters when the read models live in the store file: a long write
 * transaction there would block every append), then one short transaction swaps them in.
 * Materialized views are refilled once, in the scratch file, just before the swap: nobody
 * reads them in between, so refilling after each batch would be work thrown away.
 */
export async function startRebuild(
  db: Db,
  place: { file: string; location: string },
  schema: ProjectionSchema,
  at: string,
): Promise<ScratchBuild> {
  const { file, location } = place;
  const guard = <T>(work: () => T): Promise<T> => guarded(location, work);
  removeAbandonedScratch(file);
  const path = scratchPath(file, schema.name, process.pid);
  removeScratch(path);
  await guard(() => db.transaction(() => markRebuilding(db, schema.name, process.pid, at))());
  const scratch = openScratchDatabase(path);
  const clearMark = () =>
    guard(() => db.transaction(() => markRebuilding(db, schema.name, null, null))());
  const discard = () => {
    if (scratch.open) scratch.close();
    removeScratch(path);
  };
  const views = schema.materializedViews ?? [];
  let lastApplied: RecordedEvent | undefined;
  try {
    runScript(scratch, schema.setup);
    createMaterializedViews(scratch, views);
  } catch (error) {
    discard();
    await clearMark();
    throw error;
  }
  return {
    // A batch that fails rolls back; the runner may apply it again without the failed event
    // (a projection's onError), or abandon the build.
    apply: (batch) =>
      guard(() => {
        const last = scratch.transaction(() => applyEvents(scratch, location, batch))();
        lastApplied = last ?? lastApplied;
      }),
    swapIn: async (checkpoint, swappedAt, setAside = []) => {
      try {
        await guard(() =>
          scratch.transaction(() =>
            refreshMaterializedViews(scratch, location, views, lastApplied),
          )(),
        );
        scratch.close();
        await guard(() =>
          swapInRebuiltTables(db, path, schema, { checkpoint, at: swappedAt, setAside }),
        );
      } finally {
        discard();
      }
    },
    abandon: async () => {
      discard();
      await clearMark();
    },
  };
}

/** Runs `work`, its SQLite errors translated for `location`, as a promise. */
function guarded<T>(location: string, work: () => T): Promise<T> {
  try {
    return Promise.resolve(withStoreErrors(location, work));
  } catch (error) {
    return Promise.reject(error);
  }
}
