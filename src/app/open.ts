import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { EventStore, QueryParams, ReadStore } from '../core/ports.js';
import { InputError, StoreError } from '../core/errors.js';
import { isPostgresUrl, withoutPassword } from '../core/location.js';
import { existsSync } from 'node:fs';
import { fileSize, openSqliteEventStore, removeEmptyStoreFile } from '../store/sqlite/store.js';
import { readDbIsStore } from '../store/sqlite/read/schema.js';

// The one place that picks an adapter: a path is a SQLite file, a postgres:// URL a server.
// Every other use case works on the ports alone.

// Loaded when needed: a SQLite command never pays for the PostgreSQL driver, and one that
// reads only the store never loads the read side.
const postgres = () => import('../store/postgres/index.js');
const sqliteReadStore = () => import('../store/sqlite/read/store.js');

/** Where the store and the read models are, as the user named them. */
export interface Locations {
  /** A SQLite file path, or a postgres:// URL. */
  db: string;
  readDb: string;
  /** The folder relative paths are taken from. */
  cwd: string;
  /** PostgreSQL: queries log in as this role (one that may only read the read models). */
  queryRole?: string;
  /** PostgreSQL: the schema of the read models; default `eventlite_read`. */
  readSchema?: string;
  /**
   * PostgreSQL: a hot standby of the read database's server that `query` and `tables` read,
   * and that `projections wait` waits for.
   */
  queryDb?: string;
}

/**
 * Beside a SQLite store, `.db` → `.read.db` or else `.read.db` added (`store` →
 * `store.read.db`); a PostgreSQL store keeps its read models in a schema of its own database.
 */
export function defaultReadDb(db: string): string {
  if (isPostgresUrl(db)) return db;
  return db.endsWith('.db') ? `${db.slice(0, -3)}.read.db` : `${db}.read.db`;
}

/** A location as messages and `status` may show it: a URL never with its password. */
export function shownLocation(location: string): string {
  return isPostgresUrl(location) ? withoutPassword(location) : location;
}

export type StoreMode =
  /** write commands: create the store when missing */
  | 'create'
  /** read commands: a missing store is NotFound */
  | 'existing'
  /** look without creating anything: an empty store in memory when there is none */
  | 'peek'
  /** look without writing anything: a read-only connection; a missing store is NotFound */
  | 'read-only';

export async function openEventStore(locations: Locations, mode: StoreMode): Promise<EventStore> {
  if (mode === 'peek') {
    try {
      return await openEventStore(locations, 'existing');
    } catch (error) {
      if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
      return openSqliteEventStore(':memory:', { create: true });
    }
  }
  const { db, cwd } = locations;
  const readOnly = mode === 'read-only';
  if (isPostgresUrl(db)) {
    const { openPostgresEventStore } = await postgres();
    return openPostgresEventStore(db, { create: mode === 'create', readOnly });
  }
  return openSqliteEventStore(db, { create: mode === 'create', cwd, readOnly });
}

/**
 * Opens the store for `work` and closes it after. A SQLite store file that this open created
 * is removed again when `work` fails and no event was written to it: a failing command
 * changes nothing on disk. On PostgreSQL the new store's schema is dropped again (a database
 * that the open created stays, empty).
 */
export async function withEventStore<T>(
  locations: Locations,
  mode: StoreMode,
  work: (store: EventStore) => Promise<T>,
): Promise<T> {
  const sqliteFile =
    isPostgresUrl(locations.db) || locations.db === ':memory:'
      ? undefined
      : resolve(locations.cwd, locations.db);
  const created = mode === 'create' && sqliteFile !== undefined && !existsSync(sqliteFile);
  const store = await openEventStore(locations, mode);
  let failed = true;
  try {
    const result = await work(store);
    failed = false;
    return result;
  } finally {
    if (failed) await store.discardIfNew?.().catch(() => {});
    await store.close();
    if (failed && created) removeEmptyStoreFile(locations.db, locations.cwd);
  }
}

/**
 * `write` creates the read models' home when missing; `read` gives undefined instead.
 * `scratch` read models die with the run (spec cases): no sync on every commit, and on
 * PostgreSQL no query login (their queries are the user's own, as trusted as the handlers).
 */
export async function openReadStore(
  locations: Locations,
  mode: 'write' | 'read',
  options: { scratch?: boolean } = {},
): Promise<ReadStore | undefined> {
  const { db, readDb, cwd } = locations;
  if (isPostgresUrl(readDb)) {
    const { openPostgresReadStore } = await postgres();
    return openPostgresReadStore(readDb, {
      mode,
      queryRole: locations.queryRole,
      schema: locations.readSchema,
      queryLogin: options.scratch !== true,
    });
  }
  const { openSqliteReadStore } = await sqliteReadStore();
  return openSqliteReadStore(
    { readDbPath: readDb, storePath: db, cwd },
    { mode, scratch: options.scratch },
  );
}

/**
 * Judges a query's statement as the read models' backend would, when there are none yet to
 * run it on (see ReadContext.judgeQuery): SQLite prepares it on an empty database in memory;
 * PostgreSQL has the server parse it (nothing runs). Creates nothing.
 */
export async function judgeQueryWithoutReadModels(
  locations: Pick<Locations, 'readDb' | 'readSchema'>,
  sql: string,
  params: QueryParams,
): Promise<void> {
  if (isPostgresUrl(locations.readDb)) {
    const { judgePostgresQuery } = await postgres();
    return judgePostgresQuery(locations.readDb, locations.readSchema, sql, params);
  }
  const { judgeSqliteQuery } = await import('../store/sqlite/read/query-judge.js');
  judgeSqliteQuery(sql);
}

/**
 * The read models that `query` and `tables` read: the query database's copy when one is named
 * (checked to be a hot standby of the read database's server), else the read database's.
 * Undefined while there are none there yet.
 */
export async function openQueryStore(locations: Locations): Promise<ReadStore | undefined> {
  const { queryDb, readDb } = locations;
  if (queryDb === undefined) return openReadStore(locations, 'read');
  if (!isPostgresUrl(queryDb)) {
    throw new InputError(
      `--query-db must be a postgres:// URL of a hot standby of the read database's server, got ${withoutPassword(queryDb)}`,
    );
  }
  if (!isPostgresUrl(readDb)) {
    throw new InputError(
      `--query-db names a PostgreSQL standby, but the read models are in ${readDb}: give --read-db postgres://… (its primary)`,
    );
  }
  const { openPostgresQueryStore } = await postgres();
  return openPostgresQueryStore(readDb, queryDb, {
    queryRole: locations.queryRole,
    schema: locations.readSchema,
  });
}

/**
 * Deletes the store's events and the read models, whatever they hold, and only what is
 * eventlite's: the SQLite files (the caller makes the store again), or on PostgreSQL
 * eventlite's schemas and query logins, the empty store made again in the same transaction.
 * A file or database that is not eventlite's, or a user's object that depends on eventlite's,
 * is refused before anything goes.
 */
export async function dropStoreAndReadModels(locations: Locations): Promise<void> {
  const { db, readDb, cwd } = locations;
  const store = await openEventStore(locations, 'existing');
  await store.close();
  const read = await openReadStore(locations, 'read').catch((error: unknown) => {
    // Not SQLite, or damaged: it may be anyone's file, so reset neither deletes it nor says to.
    if (!(error instanceof StoreError) || error.damagedFile === undefined) throw error;
    throw new StoreError(
      `${error.message}; reset deletes only eventlite's own read database (nothing was deleted): if this one is eventlite's, delete it by hand`,
    );
  });
  await read?.close();
  const { checkSqliteReadDatabase, removeSqliteDatabase } =
    await import('../store/sqlite/reset.js');
  const sqliteReadDb =
    read !== undefined && !isPostgresUrl(readDb) && !readModelsInStore(locations);
  if (sqliteReadDb) checkSqliteReadDatabase(readDb, cwd);
  const pgParts = new Map<string, { store: boolean; readSchema?: string }>();
  if (isPostgresUrl(db)) pgParts.set(db, { store: true });
  if (isPostgresUrl(readDb) && read) {
    const readSchema = locations.readSchema ?? 'eventlite_read';
    pgParts.set(readDb, { store: false, ...pgParts.get(readDb), readSchema });
  }
  if (pgParts.size > 0) {
    const { resetPostgresDatabase } = await import('../store/postgres/reset.js');
    // Over two databases, each is first tried to the end and rolled back: neither changes
    // unless both can.
    if (pgParts.size > 1) {
      for (const [url, parts] of pgParts) await resetPostgresDatabase(url, parts, { dryRun: true });
    }
    for (const [url, parts] of pgParts) await resetPostgresDatabase(url, parts);
  }
  if (sqliteReadDb) removeSqliteDatabase(readDb, cwd);
  if (!isPostgresUrl(db)) removeSqliteDatabase(db, cwd);
}

/** True when the read models live in the SQLite store file itself (single-database CQRS). */
export function readModelsInStore(locations: Locations): boolean {
  if (isPostgresUrl(locations.db) || isPostgresUrl(locations.readDb)) return false;
  return readDbIsStore({
    readDbPath: locations.readDb,
    storePath: locations.db,
    cwd: locations.cwd,
  });
}

/** What SQLite read models take up on disk (the file and its log); null on a server. */
export function readModelsBytes(locations: Locations): number | null {
  if (isPostgresUrl(locations.readDb)) return null;
  const file = resolve(locations.cwd, locations.readDb);
  return fileSize(file) + fileSize(`${file}-wal`);
}

/** Read models that live for one run (a spec case's), and how to get rid of them. */
export interface ScratchReadModels {
  locations: Locations;
  dispose(): Promise<void>;
}

/**
 * Scratch read models over an in-memory event store, on the backend of `readDb`: on PostgreSQL
 * a schema of their own in its database (`eventlite_spec_…`, dropped by `dispose`), so the
 * projections' PostgreSQL SQL is what runs; otherwise a SQLite file in `folder`, which the
 * caller removes. The user's own read models are never touched.
 */
export function scratchReadModels(readDb: string | undefined, folder: string): ScratchReadModels {
  const base = { db: ':memory:', cwd: folder };
  if (readDb === undefined || !isPostgresUrl(readDb)) {
    return { locations: { ...base, readDb: join(folder, 'read.db') }, dispose: async () => {} };
  }
  const readSchema = `eventlite_spec_${process.pid}_${randomHex(4)}`;
  return {
    locations: { ...base, readDb, readSchema },
    dispose: async () => {
      const { dropPostgresReadSchema } = await postgres();
      await dropPostgresReadSchema(readDb, readSchema);
    },
  };
}

/** node:crypto, loaded only here: a command that reads never needs it, and loading it costs start-up. */
function randomHex(bytes: number): string {
  const { randomBytes } = createRequire(import.meta.url)(
    'node:crypto',
  ) as typeof import('node:crypto');
  return randomBytes(bytes).toString('hex');
}
