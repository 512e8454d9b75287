import { existsSync } from 'node:fs';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type ProjectionFailure,
  type ProjectionRow,
  type ProjectionSchema,
  type QueryParams,
  type ReadStore,
  type ScratchBuild,
} from '../../core/ports.js';
import type { RecordedEvent } from '../../core/events.js';
import { applyBatch, applyEvents, refreshMaterializedViews } from './apply-batch.js';
import {
  adoptDefinitionHash,
  markProjectionFailed,
  markRebuilding,
  readProjectionRow,
  readProjectionRows,
  writeOwnedObjects,
  writeProjectionRow,
} from './bookkeeping.js';
import { withStoreErrors } from './errors.js';
import { createMaterializedViews } from './matviews.js';
import { createProjectionObjects, runScript } from './objects.js';
import { filePath, openReadOnlyDatabase, openScratchDatabase } from './open.js';
import { runQuery } from './query.js';
import {
  hasProjectionTables,
  openReadDatabase,
  readDbIsStore,
  type ReadDbLocation,
} from './read-schema.js';
import { isAlive, removeAbandonedScratch, removeScratch, scratchPath } from './scratch-file.js';
import type { Db } from './statements.js';
import { swapInRebuiltTables } from './swap.js';
import { readTables } from './tables.js';

/**
 * Opens the read database. `write` creates it (and its bookkeeping) when missing; `read`
 * opens it read-only and gives undefined when it does not exist yet: looking creates nothing.
 */
export function openSqliteReadStore(
  location: ReadDbLocation,
  options: { mode: 'write' | 'read'; scratch?: boolean },
): SqliteReadStore | undefined {
  const isStore = readDbIsStore(location);
  if (options.mode === 'read') {
    if (!existsSync(filePath(location.readDbPath, location.cwd))) return undefined;
    const db = openReadOnlyDatabase(location.readDbPath, location.cwd);
    return new SqliteReadStore(db, location, isStore);
  }
  const db = openReadDatabase(location);
  if (options.scratch) db.pragma('synchronous = OFF');
  return new SqliteReadStore(db, location, isStore);
}

/** The ReadStore port over a SQLite file (or the store file itself). */
export class SqliteReadStore implements ReadStore {
  readonly location: string;
  private readonly file: string;

  constructor(
    private readonly db: Db,
    place: ReadDbLocation,
    private readonly isStore: boolean,
  ) {
    this.location = place.readDbPath;
    this.file = filePath(place.readDbPath, place.cwd);
  }

  private guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(withStoreErrors(this.location, work));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  projectionRows(): Promise<Map<string, ProjectionRow>> {
    return this.guard(() => {
      if (!hasProjectionTables(this.db, this.location)) return new Map();
      return new Map(readProjectionRows(this.db).map((row) => [row.name, withLiveRebuild(row)]));
    });
  }

  projectionRow(name: string): Promise<ProjectionRow | undefined> {
    return this.guard(() => {
      const row = readProjectionRow(this.db, name);
      return row && withLiveRebuild(row);
    });
  }

  createProjection(schema: ProjectionSchema, at: string): Promise<void> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          // Re-checked under the write lock: another runner may have created it meanwhile.
          if (readProjectionRow(this.db, schema.name)) return;
          writeOwnedObjects(this.db, schema.name, createProjectionObjects(this.db, schema));
          writeProjectionRow(this.db, schema, 0, at);
        })
        .immediate(),
    );
  }

  applyBatch(name: string, batch: ProjectionBatch, guard: BatchGuard): Promise<boolean> {
    return this.guard(() => applyBatch(this.db, this.location, name, batch, guard));
  }

  markFailed(name: string, failure: ProjectionFailure, at: string): Promise<void> {
    return this.guard(() =>
      this.db.transaction(() => markProjectionFailed(this.db, name, failure, at)).immediate(),
    );
  }

  adoptDefinitionHash(name: string, definitionHash: string): Promise<void> {
    return this.guard(() =>
      this.db.transaction(() => adoptDefinitionHash(this.db, name, definitionHash))(),
    );
  }

  /**
   * The new tables are built in a scratch SQLite file: no lock on the read database while
   * the log replays (which matters when the read models live in the store file: a long write
   * transaction there would block every append), then one short transaction swaps them in.
   * Materialized views are refilled once, in the scratch file, just before the swap: nobody
   * reads them in between, so refilling after each batch would be work thrown away.
   */
  async startRebuild(schema: ProjectionSchema, at: string): Promise<ScratchBuild> {
    const { db, location } = this;
    removeAbandonedScratch(this.file);
    const path = scratchPath(this.file, schema.name, process.pid);
    removeScratch(path);
    await this.guard(() =>
      db.transaction(() => markRebuilding(db, schema.name, process.pid, at))(),
    );
    const scratch = openScratchDatabase(path);
    const clearMark = () =>
      this.guard(() => db.transaction(() => markRebuilding(db, schema.name, null, null))());
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
      apply: (batch) =>
        this.guard(() => {
          try {
            const last = scratch.transaction(() => applyEvents(scratch, location, batch))();
            lastApplied = last ?? lastApplied;
          } catch (error) {
            if (error instanceof HandlerFailure) discard();
            throw error;
          }
        }),
      swapIn: async (checkpoint, swappedAt) => {
        try {
          await this.guard(() =>
            scratch.transaction(() =>
              refreshMaterializedViews(scratch, location, views, lastApplied),
            )(),
          );
          scratch.close();
          await this.guard(() =>
            swapInRebuiltTables(db, path, schema, { checkpoint, at: swappedAt }),
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

  query(sql: string, params?: QueryParams) {
    return this.guard(() => runQuery(this.db, this.location, sql, params));
  }

  tables() {
    return this.guard(() => readTables(this.db, this.location, this.isStore));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** A rebuild mark counts only while the process that set it is still running. */
function withLiveRebuild(row: ProjectionRow): ProjectionRow {
  if (row.rebuildingPid === null || isAlive(row.rebuildingPid)) return row;
  return { ...row, rebuildingPid: null, rebuildingSince: null };
}
