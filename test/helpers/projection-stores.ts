import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import {
  checkpointOf,
  readModel as readSqliteModel,
  type ReadModel,
} from '../projections/harness.js';
import { bankLog, writeDomain, type DomainOptions } from '../projections/fixtures.js';
import type { Backend } from './backends.js';
import { startCli, tempDir, type CliResult } from './cli.js';
import { runInProcess } from './in-process.js';
import {
  pgCheckpoint,
  pgClient,
  pgOthersGone,
  pgReadJson,
  pgScratchSchemas,
  READ_SCHEMA,
} from './pg-inspect.js';
import { freshPgDatabase } from './postgres.js';

// test/projections/harness.ts on either backend: a folder with the test domain module
// (test/projections/fixtures.ts), a store on SQLite or PostgreSQL, and read models looked at
// without eventlite (a SQLite file read-only, or one SQL statement on a connection of the
// test's own).

/** A home for read models, and looks into it. */
export interface ReadModels {
  /** What `--read-db` names it by (a SQLite path, or a PostgreSQL URL). */
  readDb: string;
  /** Whether they exist at all: the SQLite file, or the read schema. */
  exist(): Promise<boolean>;
  readModel(): Promise<ReadModel>;
  /** A projection's checkpoint; 0 before the read models or its row exist. */
  checkpoint(name?: string): Promise<number>;
  /** The pid marked as rebuilding account_summary, or null. */
  rebuildingPid(): Promise<number | null>;
  /** What killed rebuilds left behind: scratch files beside the read database, or schemas. */
  rebuildScratch(): Promise<string[]>;
  /**
   * Once no eventlite process uses them: waits until all it did is there to be seen
   * (PostgreSQL finishes a commit that a killed client had sent).
   */
  settled(): Promise<void>;
}

export interface ProjectionStore {
  backend: Backend['name'];
  dir: string;
  /** The environment every CLI call gets (it names a PostgreSQL store). */
  env: Record<string, string>;
  /**
   * Runs the CLI in process in `dir` with the test domain module (the same output as the built
   * CLI; what must be a real process, to be killed or raced, goes through `start`).
   */
  cli(args: readonly string[], input?: string): Promise<CliResult>;
  /** Starts the built CLI in `dir` with the test domain module, without waiting. */
  start(args: readonly string[]): ChildProcess;
  /** The read models that the store's commands use by default. */
  readModels: ReadModels;
  /**
   * Other read models, by name: on SQLite the file `name` in `dir`, on PostgreSQL a database
   * of their own (the same one for the same name).
   */
  otherReadModels(name: string): Promise<ReadModels>;
  /** Another, empty store: `name` in `dir` on SQLite, a new database on PostgreSQL. */
  otherStore(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A folder with the test domain, a store on `backend`, and `events` bank events imported. */
export async function projectionStore(
  backend: Backend,
  events: number,
  domain: DomainOptions = {},
): Promise<ProjectionStore> {
  const folder = tempDir();
  const dir = folder.dir;
  const store = await backend.freshStore();
  const env = store.env;
  const clients: pg.Client[] = [];
  const drops: (() => Promise<void>)[] = [];
  const others = new Map<string, ReadModels>();

  async function pgReadModels(url: string): Promise<ReadModels> {
    const client = await pgClient(url);
    clients.push(client);
    return {
      readDb: url,
      exist: async () => {
        const { rows } = await client.query<{ exists: boolean }>(
          'SELECT to_regnamespace($1) IS NOT NULL AS exists',
          [READ_SCHEMA],
        );
        return rows[0]!.exists;
      },
      readModel: () => pgReadModel(client),
      checkpoint: (name = 'account_summary') => pgCheckpoint(client, name),
      rebuildingPid: () =>
        pgReadJson<number | null>(
          client,
          ['eventlite_projections'],
          `SELECT rebuilding_pid FROM eventlite_projections WHERE name = 'account_summary'`,
          null,
        ),
      rebuildScratch: () => pgScratchSchemas(client),
      settled: () => pgOthersGone(client),
    };
  }

  const sqliteReadModels = (name: string): ReadModels => {
    const path = join(dir, name);
    return {
      readDb: path,
      exist: async () => existsSync(path),
      readModel: async () => readSqliteModel(path),
      checkpoint: async (projection) => checkpointOf(path, projection),
      rebuildingPid: async () => sqliteRebuildingPid(path),
      rebuildScratch: async () => readdirSync(dir).filter((file) => file.includes('.rebuild-')),
      settled: async () => {},
    };
  };

  const sqlite = backend.name === 'sqlite';
  const projectionStore: ProjectionStore = {
    backend: backend.name,
    dir,
    env,
    cli: (args, input) =>
      runInProcess(['--domain', 'domain.mjs', ...args], { cwd: dir, input, env }),
    start: (args) => startCli(['--domain', 'domain.mjs', ...args], { cwd: dir, env }),
    readModels: sqlite ? sqliteReadModels('eventlite.read.db') : await pgReadModels(store.db),
    async otherReadModels(name) {
      if (sqlite) return sqliteReadModels(name);
      const known = others.get(name);
      if (known) return known;
      const database = await freshPgDatabase();
      drops.push(database.drop);
      const models = await pgReadModels(database.url);
      others.set(name, models);
      return models;
    },
    async otherStore(name) {
      if (sqlite) return name;
      const database = await freshPgDatabase();
      drops.push(database.drop);
      return database.url;
    },
    async cleanup() {
      for (const client of clients) await client.end().catch(() => {});
      for (const drop of drops) await drop();
      await store.cleanup();
      folder.cleanup();
    },
  };

  writeDomain(dir, domain);
  writeFileSync(join(dir, 'log.ndjson'), bankLog(events));
  const imported = await projectionStore.cli(['import', 'log.ndjson']);
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
  return projectionStore;
}

/** The test domain's tables, as test/projections/harness.ts reads them, in one statement. */
function pgReadModel(client: pg.ClientBase): Promise<ReadModel> {
  return pgReadJson<ReadModel>(
    client,
    ['account_summary', 'applied'],
    `SELECT json_build_object(
       'summary', coalesce(
         (SELECT json_agg(json_build_object('account_id', account_id, 'owner', owner,
                                            'balance', balance, 'deposits', deposits)
                          ORDER BY account_id COLLATE "C")
          FROM account_summary), '[]'::json),
       'applied', (SELECT json_build_object('count', count(*),
                                            'distinct', count(DISTINCT position),
                                            'positions', coalesce(sum(position), 0))
                   FROM applied))`,
    { summary: [], applied: { count: 0, distinct: 0, positions: 0 } },
    READ_SCHEMA,
  );
}

async function sqliteRebuildingPid(path: string): Promise<number | null> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT rebuilding_pid FROM eventlite_projections').pluck().get() ??
      null) as number | null;
  } finally {
    db.close();
  }
}
