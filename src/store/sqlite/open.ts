import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { NotFoundError } from '../../core/errors.js';
import { withStoreErrors } from './errors.js';
import { STORE_SCHEMA, migrateSchema, type SchemaSpec } from './schema.js';
import type { Db } from './statements.js';

export interface OpenOptions {
  /** Create the file when it does not exist (write commands); otherwise a missing file is NotFound. */
  create?: boolean;
  /** How long a writer waits for another process's lock before StoreBusyError. */
  busyTimeoutMs?: number;
  /** The folder a relative path is taken from; messages still name the path as given. */
  cwd?: string;
  /**
   * Look without writing: a read-only connection to a file that must exist, neither created
   * nor migrated (a store of an older schema may then fail to read).
   */
  readOnly?: boolean;
}

/** Where `path` is on disk: relative to `cwd` when given (the CLI's working folder). */
export function filePath(path: string, cwd: string | undefined): string {
  return path === ':memory:' || cwd === undefined ? path : resolve(cwd, path);
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

const require = createRequire(import.meta.url);
let searching: typeof BetterSqlite3 | undefined;

/**
 * A connection. better-sqlite3's JavaScript is imported with this module (the CLI's bundle
 * holds it rather than load its dozen files one by one; see bench/README.md);
 * its native addon is loaded on the first open, so `--help` and the commands that fail before
 * they open a store never pay for it.
 */
export function newDatabase(file: string, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  addon ??= findAddon();
  if (addon !== false) return new BetterSqlite3(file, { ...options, nativeBinding: addon });
  // The addon is elsewhere: the package as installed finds it, through `bindings`, from its
  // own folder (a copy in the bundle would search the bundle's).
  searching ??= require('better-sqlite3') as typeof BetterSqlite3;
  return new searching(file, options);
}

/** Where the compiled addon is, or false to leave finding it to better-sqlite3. */
let addon: string | false | undefined;

/**
 * better-sqlite3 finds its addon through the `bindings` package, which tries a dozen paths
 * (and stats each) before the one `npm install` builds into. Loading that one directly saves
 * a short command the search (bench/README.md has the figure). Elsewhere (a prebuilt addon in another folder), the
 * usual search.
 */
function findAddon(): string | false {
  const built = join(
    dirname(require.resolve('better-sqlite3')),
    '..',
    'build',
    'Release',
    'better_sqlite3.node',
  );
  return existsSync(built) ? built : false;
}

/** Opens (creating or migrating as needed) the event store at `path`. */
export function openStore(path: string, options: OpenOptions = {}): Db {
  return openDatabase(path, STORE_SCHEMA, options);
}

/** Opens a SQLite file of ours in WAL mode and brings its schema up to date. */
export function openDatabase(path: string, spec: SchemaSpec, options: OpenOptions = {}): Db {
  const file = filePath(path, options.cwd);
  if (!options.create && path !== ':memory:' && !existsSync(file)) {
    throw new NotFoundError(`no ${spec.kind} at ${path} (create one with "eventlite init")`);
  }
  // better-sqlite3 says only "Cannot open database because the directory does not exist".
  if (path !== ':memory:' && !existsSync(dirname(file))) {
    throw new NotFoundError(
      `cannot create the ${spec.kind} ${path}: no such folder ${dirname(path)}`,
    );
  }
  return withStoreErrors(path, () => {
    const db = newDatabase(file);
    try {
      configure(db, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
      migrateSchema(db, path, spec);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/**
 * A read-only connection: SQLite itself then refuses any write, whatever checks upstream let
 * through, and the file is never created or migrated by merely looking at it.
 */
export function openReadOnlyDatabase(path: string, cwd?: string): Db {
  return withStoreErrors(path, () => {
    const db = newDatabase(filePath(path, cwd), { readonly: true, fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
      db.pragma('query_only = ON');
      // Touches the header: a file that is not SQLite fails here, not in the first query.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/** A throw-away file (a rebuild's scratch tables): a crash means starting over, so no fsync. */
export function openScratchDatabase(path: string): Db {
  return withStoreErrors(path, () => {
    const db = newDatabase(path);
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    return db;
  });
}

function configure(db: Db, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // The first statement that reads the file header: a foreign file fails here with NOTADB.
  const mode = db.pragma('journal_mode', { simple: true });
  if (mode !== 'wal' && mode !== 'memory') setWalMode(db, busyTimeoutMs);
  // WAL + FULL: a commit is durable once append returns, also across a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -16000');
  // Deleted and overwritten content is zeroed, not left in free space: what `forget`, `redact`
  // and a hard delete remove (and a rebuild drops) is gone from the file once checkpointed.
  db.pragma('secure_delete = ON');
}

// Switching to WAL needs an exclusive lock and does not wait on the busy handler, so several
// processes opening a brand-new file at once retry here until the first one has switched it.
function setWalMode(db: Db, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
