import { resolve } from 'node:path';
import type { EventStore, ReadStore } from '../core/ports.js';
import {
  fileSize,
  openSqliteEventStore,
  openSqliteReadStore,
  readDbIsStore,
} from '../store/sqlite/index.js';

// The one place that picks an adapter: every other use case works on the ports alone.

/** Where the store and the read models are, as the user named them. */
export interface Locations {
  /** A SQLite file path. */
  db: string;
  readDb: string;
  /** The folder relative paths are taken from. */
  cwd: string;
}

/** `eventlite.db` → `eventlite.read.db`; `store` → `store.read.db`; `a.sqlite` → `a.sqlite.read.db`. */
export function defaultReadDb(db: string): string {
  return db.endsWith('.db') ? `${db.slice(0, -3)}.read.db` : `${db}.read.db`;
}

export type StoreMode =
  /** write commands: create the store when missing */
  | 'create'
  /** read commands: a missing store is NotFound */
  | 'existing'
  /** look without creating anything: an empty store in memory when there is none */
  | 'peek';

export async function openEventStore(locations: Locations, mode: StoreMode): Promise<EventStore> {
  const { db, cwd } = locations;
  if (mode === 'peek') {
    try {
      return openSqliteEventStore(db, { create: false, cwd });
    } catch (error) {
      if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
      return openSqliteEventStore(':memory:', { create: true });
    }
  }
  return openSqliteEventStore(db, { create: mode === 'create', cwd });
}

/**
 * `write` creates the read models' home when missing; `read` gives undefined instead.
 * `scratch` read models die with the run (spec cases): no sync on every commit.
 */
export async function openReadStore(
  locations: Locations,
  mode: 'write' | 'read',
  options: { scratch?: boolean } = {},
): Promise<ReadStore | undefined> {
  return openSqliteReadStore(
    { readDbPath: locations.readDb, storePath: locations.db, cwd: locations.cwd },
    { mode, scratch: options.scratch },
  );
}

/** True when the read models live in the store itself (single-database CQRS). */
export function readModelsInStore(locations: Locations): boolean {
  return readDbIsStore({
    readDbPath: locations.readDb,
    storePath: locations.db,
    cwd: locations.cwd,
  });
}

/** What the read models take up on disk (a file and its write-ahead log); 0 before they exist. */
export function readModelsBytes(locations: Locations): number {
  const file = resolve(locations.cwd, locations.readDb);
  return fileSize(file) + fileSize(`${file}-wal`);
}
