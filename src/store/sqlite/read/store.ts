import { existsSync } from 'node:fs';
import { StoreBusyError } from '../../../core/errors.js';
import type {
  BatchGuard,
  ChangeWatch,
  ProjectionBatch,
  ProjectionFailure,
  ProjectionRow,
  ProjectionSchema,
  QueryParams,
  ReadStore,
  RetryBatch,
  ScratchBuild,
} from '../../../core/ports.js';
import type { SetAsideKind, SetAsideRow } from '../../../core/set-aside.js';
import { QUERY_PAGE_SIZE } from '../../../core/ports.js';
import { applyBatch, applySetAside } from './apply.js';
import { readSetAside } from './set-aside.js';
import { FileChangeWatch } from '../watch.js';
import {
  adoptDefinitionHash,
  deleteProjectionRows,
  markProjectionFailed,
  readOwnedObjects,
  writeSetupFailedRow,
  readProjectionRow,
  readBuiltFrom,
  readProjectionRows,
  writeBuiltFrom,
  writeOwnedObjects,
  writeProjectionRow,
} from './registry.js';
import { withStoreErrors } from '../errors.js';
import { createProjectionObjects, dropProjectionObjects } from './catalog.js';
import { filePath, openReadOnlyDatabase } from '../open.js';
import { runQuery, runQueryPages } from './query.js';
import {
  hasProjectionTables,
  openReadDatabase,
  readDbIsStore,
  type ReadDbLocation,
} from './schema.js';
import { startRebuild } from './rebuild.js';
import { isAlive } from './scratch.js';
import type { Db } from '../statements.js';
import { readColumns, readTables } from './tables.js';

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

  markSetupFailed(schema: ProjectionSchema, failure: ProjectionFailure, at: string): Promise<void> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          // Another runner may have set it up meanwhile: its tables win.
          if (readProjectionRow(this.db, schema.name)) return;
          writeSetupFailedRow(this.db, schema, failure, at);
        })
        .immediate(),
    );
  }

  dropProjection(name: string): Promise<boolean> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const row = readProjectionRow(this.db, name);
          if (!row) return false;
          if (withLiveRebuild(row).rebuildingPid !== null) {
            throw new StoreBusyError(
              `projection "${name}" is being rebuilt by process ${row.rebuildingPid}; try again once it is done`,
            );
          }
          dropProjectionObjects(this.db, readOwnedObjects(this.db, name));
          deleteProjectionRows(this.db, name);
          return true;
        })
        .immediate(),
    );
  }

  adoptDefinitionHash(name: string, definitionHash: string): Promise<void> {
    return this.guard(() =>
      this.db.transaction(() => adoptDefinitionHash(this.db, name, definitionHash))(),
    );
  }

  startRebuild(schema: ProjectionSchema, at: string): Promise<ScratchBuild> {
    return startRebuild(this.db, { file: this.file, location: this.location }, schema, at);
  }

  builtFrom(): Promise<string | undefined> {
    return this.guard(() =>
      hasProjectionTables(this.db, this.location) ? readBuiltFrom(this.db) : undefined,
    );
  }

  recordBuiltFrom(storeId: string, options: { replace?: boolean } = {}): Promise<string> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          writeBuiltFrom(this.db, storeId, options.replace === true);
          return readBuiltFrom(this.db)!;
        })
        .immediate(),
    );
  }

  query(sql: string, params?: QueryParams) {
    return this.guard(() => runQuery(this.db, this.location, sql, params));
  }

  queryPages(sql: string, params?: QueryParams, pageSize = QUERY_PAGE_SIZE) {
    return this.guard(() => runQueryPages(this.db, this.location, sql, params, pageSize));
  }

  tables() {
    return this.guard(() => readTables(this.db, this.location, this.isStore));
  }

  columns() {
    return this.guard(() => readColumns(this.db, this.isStore));
  }

  setAsideEvents(name: string, options: { kind?: SetAsideKind } = {}): Promise<SetAsideRow[]> {
    return this.guard(() => readSetAside(this.db, name, options.kind));
  }

  applySetAside(name: string, batch: RetryBatch, guard: BatchGuard): Promise<boolean> {
    return this.guard(() => applySetAside(this.db, this.location, name, batch, guard));
  }

  async watchChanges(): Promise<ChangeWatch> {
    return new FileChangeWatch(this.file === ':memory:' ? undefined : this.file);
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
