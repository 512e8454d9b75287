import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { expect } from 'vitest';
import { bankFolder } from '../helpers/bank-folder.js';
import type { Backend } from '../helpers/backends.js';
import { collect, parseNdjson, type CliResult } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import {
  pgClient,
  pgOthersGone,
  pgReadJson,
  pgScratchSchemas,
  pgStoredLog,
} from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// Shared by the process-level crash and race tests: sizes from the environment, a bank
// folder, the log and the read model as plain data, and the fold the read model must equal.
// The processes under test (killed, raced) are spawned; the checks between them (`log`,
// `verify`) run the CLI in process: same output, without a Node start-up per check.

export const STRESS = process.env.EVENTLITE_STRESS === '1';

/** A test's time limit: the suite's default (60 s), or ten minutes for a stress run. */
export const STRESS_TIMEOUT = STRESS ? 600_000 : 60_000;

/** A size or count: `$name` if set, else the stress or the default value. */
export function sized(name: string, normal: number, stress: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') return STRESS ? stress : normal;
  const value = Number(given);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed for this run: `EVENTLITE_TRUST_SEED`, else a fresh one (printed by the caller). */
export function trustSeed(): number {
  const given = process.env.EVENTLITE_TRUST_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export interface LoggedEvent {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

/** The global log as `eventlite log` prints it (in process). */
export async function cliLog(dir: string, env?: Record<string, string>): Promise<LoggedEvent[]> {
  const result = await runInProcess(['log', '--format', 'ndjson'], { cwd: dir, env });
  expect(result.code, result.stderr).toBe(0);
  return parseNdjson(result.stdout) as LoggedEvent[];
}

/**
 * The global log read straight from the file (fast, for checks between kills while no
 * eventlite process runs).
 */
export function storedLog(storePath: string): LoggedEvent[] {
  const db = new Database(storePath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT position, stream, version, type, id, data, metadata, recorded_at AS recordedAt
         FROM events ORDER BY position`,
      )
      .all() as (Omit<LoggedEvent, 'data' | 'metadata'> & { data: string; metadata: string })[];
    return rows.map((row) => ({
      ...row,
      data: JSON.parse(row.data) as Record<string, unknown>,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** `eventlite verify` exits 0 (in process). */
export async function expectVerified(
  dir: string,
  context = '',
  env?: Record<string, string>,
): Promise<void> {
  const verify = await runInProcess(['verify', '--format', 'json'], { cwd: dir, env });
  expect(verify.code, `verify ${context}: ${verify.stdout}${verify.stderr}`).toBe(0);
}

/** Positions run 1..n in order and every stream's versions run 1, 2, 3… in position order. */
export function expectContiguous(events: readonly LoggedEvent[]): void {
  expect(events.map((event) => event.position)).toEqual(events.map((_, index) => index + 1));
  const versions = new Map<string, number>();
  for (const event of events) {
    const expected = (versions.get(event.stream) ?? 0) + 1;
    if (event.version !== expected) {
      throw new Error(
        `stream ${event.stream}: version ${event.version} at position ${event.position}, expected ${expected}`,
      );
    }
    versions.set(event.stream, expected);
  }
}

export interface AccountRow {
  account_id: string;
  owner: string;
  balance: number;
  last_updated: string;
}

/** What the bank example's account_summary must hold after exactly these events. */
export function foldAccountSummary(events: readonly LoggedEvent[]): AccountRow[] {
  const rows = new Map<string, AccountRow>();
  for (const event of events) {
    const accountId = event.data.accountId as string;
    if (event.type === 'AccountOpened') {
      if (rows.has(accountId)) throw new Error(`account ${accountId} opened twice`);
      rows.set(accountId, {
        account_id: accountId,
        owner: event.data.owner as string,
        balance: 0,
        last_updated: event.recordedAt,
      });
    } else if (event.type === 'MoneyDeposited' || event.type === 'MoneyWithdrawn') {
      const row = rows.get(accountId);
      if (row) {
        row.balance = event.data.balance as number;
        row.last_updated = event.recordedAt;
      }
    }
  }
  return [...rows.values()].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
}

export interface ReadModel {
  checkpoint: number;
  rows: AccountRow[];
}

/** account_summary and its checkpoint, read in one read transaction. */
export function readModelAt(readDbPath: string): ReadModel {
  if (!existsSync(readDbPath)) return { checkpoint: 0, rows: [] };
  const db = new Database(readDbPath, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.transaction(() => {
      const has = (name: string) =>
        db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(name);
      const checkpoint = has('eventlite_projections')
        ? ((db
            .prepare(`SELECT checkpoint FROM eventlite_projections WHERE name = 'account_summary'`)
            .pluck()
            .get() as number | undefined) ?? 0)
        : 0;
      const rows = has('account_summary')
        ? (db
            .prepare(
              'SELECT account_id, owner, balance, last_updated FROM account_summary ORDER BY account_id',
            )
            .all() as AccountRow[])
        : [];
      return { checkpoint, rows };
    })();
  } finally {
    db.close();
  }
}

export interface Outcome extends CliResult {
  /** True when this test's SIGKILL ended the process (it had not exited by then). */
  killed: boolean;
}

/** Waits `ms`, then SIGKILLs the process unless it has already exited. */
export function killAfter(child: ChildProcess, ms: number): Promise<Outcome> {
  const deadline = Date.now() + ms;
  return killWhen(child, () => Date.now() >= deadline);
}

/** SIGKILLs the process as soon as `ready()` holds (polled every few ms), unless it exited. */
export async function killWhen(child: ChildProcess, ready: () => boolean): Promise<Outcome> {
  const exited = collect(child);
  let done = false;
  void exited.then(() => (done = true));
  while (!done && !ready()) await sleep(2);
  if (!done) child.kill('SIGKILL');
  const result = await exited;
  return { ...result, killed: result.signal === 'SIGKILL' };
}

// ---------------------------------------------------------------------------------------------
// The bank example on either backend

/**
 * The bank example in a folder, with its store on one backend, and looks into the store and
 * its read models that need no eventlite process: SQLite files opened read-only, or plain SQL
 * on a connection of the test's own.
 */
export interface BankStore {
  backend: Backend['name'];
  dir: string;
  /** What every CLI call in `dir` gets: it names the store (PostgreSQL) and the read models. */
  env: Record<string, string>;
  /**
   * Once no eventlite process runs: waits until all they did is there to be seen (PostgreSQL
   * finishes a commit that a killed client had sent).
   */
  settled(): Promise<void>;
  /** The global log, straight from the store. */
  storedLog(): Promise<LoggedEvent[]>;
  /** account_summary and its checkpoint in the read models, at one moment. */
  readModel(): Promise<ReadModel>;
  /** Another, empty home for read models: the `--read-db` that names it, and a look into it. */
  otherReadModels(): Promise<{ readDb: string; readModel(): Promise<ReadModel> }>;
  /** What killed rebuilds left behind: scratch files beside the read database, or schemas. */
  rebuildScratch(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/**
 * A bank folder whose store is on `backend`. SQLite: `eventlite.db` in the folder, the read
 * models in `readDb` (EVENTLITE_READ_DB when given, else `eventlite.read.db`). PostgreSQL: a
 * new database, the read models in its read schema.
 */
export async function bankStore(backend: Backend, readDb?: string): Promise<BankStore> {
  if (backend.name === 'sqlite') {
    const env: Record<string, string> = readDb === undefined ? {} : { EVENTLITE_READ_DB: readDb };
    const folder = await bankFolder();
    const dir = folder.dir;
    return {
      backend: 'sqlite',
      dir,
      env,
      settled: async () => {},
      storedLog: async () => storedLog(join(dir, 'eventlite.db')),
      readModel: async () => readModelAt(join(dir, readDb ?? 'eventlite.read.db')),
      otherReadModels: async () => ({
        readDb: 'clean.read.db',
        readModel: async () => readModelAt(join(dir, 'clean.read.db')),
      }),
      rebuildScratch: async () => readdirSync(dir).filter((file) => file.includes('.rebuild-')),
      cleanup: async () => folder.cleanup(),
    };
  }
  const store = await backend.freshStore();
  const folder = await bankFolder({ env: store.env });
  const clients: pg.Client[] = [];
  const drops: (() => Promise<void>)[] = [];
  const client = await pgClient(store.db);
  clients.push(client);
  return {
    backend: 'postgres',
    dir: folder.dir,
    env: store.env,
    settled: () => pgOthersGone(client),
    storedLog: () => pgStoredLog(client),
    readModel: () => pgReadModel(client),
    async otherReadModels() {
      const other = await freshPgDatabase();
      drops.push(other.drop);
      const otherClient = await pgClient(other.url);
      clients.push(otherClient);
      return { readDb: other.url, readModel: () => pgReadModel(otherClient) };
    },
    rebuildScratch: () => pgScratchSchemas(client),
    async cleanup() {
      for (const each of clients) await each.end().catch(() => {});
      for (const drop of drops) await drop();
      await store.cleanup();
      folder.cleanup();
    },
  };
}

/** account_summary and the checkpoint in a PostgreSQL read schema, in one statement. */
export function pgReadModel(client: pg.ClientBase): Promise<ReadModel> {
  return pgReadJson<ReadModel>(
    client,
    ['eventlite_projections', 'account_summary'],
    `SELECT json_build_object(
       'checkpoint', coalesce(
         (SELECT checkpoint FROM eventlite_projections WHERE name = 'account_summary'), 0),
       'rows', coalesce(
         (SELECT json_agg(json_build_object('account_id', account_id, 'owner', owner,
                                            'balance', balance, 'last_updated', last_updated)
                          ORDER BY account_id COLLATE "C")
          FROM account_summary), '[]'::json))`,
    { checkpoint: 0, rows: [] },
  );
}
