import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { bankLog, writeDomain, type DomainOptions } from '../projections/fixtures.js';
import {
  checkpointOf as sqliteCheckpointOf,
  readModel as sqliteReadModel,
  type ReadModel,
} from '../projections/harness.js';
import type { StoreUnderTest } from './backends.js';
import type { CliResult } from './cli.js';
import { runInProcess, type InProcessOptions } from './in-process.js';

// What a CLI suite needs to run the same test on either backend: the CLI pointed at a store,
// a check that no output ever shows the test server's password, and ways to look at a store
// or its read models ("changed nothing", "created nothing", checkpoints) on SQLite and on
// PostgreSQL alike.

export function isPgUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * A store as messages and `status` show it: a path as given, a URL without its password.
 * Written here rather than taken from src/, so that the tests say what the output must be.
 */
export function shown(location: string): string {
  if (!isPgUrl(location)) return location;
  const url = new URL(location);
  url.password = '';
  return url.toString();
}

/** The test server's password, which no output may show; undefined without a server. */
export function serverPassword(): string | undefined {
  const url = inject('pgServerUrl') ?? process.env.EVENTLITE_TEST_PG_URL;
  if (!url) return undefined;
  const password = decodeURIComponent(new URL(url).password);
  return password === '' ? undefined : password;
}

/** Fails when a line of stdout or stderr carries the test server's password. */
export function expectNoPassword(result: Pick<CliResult, 'stdout' | 'stderr'>): void {
  const password = serverPassword();
  if (password === undefined) return;
  for (const [name, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    const leaking = text.split('\n').filter((line) => line.includes(password));
    expect(leaking, `${name} shows the server's password`).toEqual([]);
  }
}

/**
 * The CLI in process against `store` (its environment first, then `options.env`), with every
 * result checked for the server's password.
 */
export async function runOn(
  store: Pick<StoreUnderTest, 'env'>,
  args: readonly string[],
  options: InProcessOptions,
): Promise<CliResult> {
  const result = await runInProcess(args, { ...options, env: { ...store.env, ...options.env } });
  expectNoPassword(result);
  return result;
}

export async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The schemas of a database that are not PostgreSQL's own, by name. */
export function pgSchemas(url: string): Promise<string[]> {
  return withPg(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace
       WHERE nspname NOT IN ('information_schema', 'public') AND nspname NOT LIKE 'pg\\_%'
       ORDER BY nspname`,
    );
    return rows.map((row) => row.name);
  });
}

/**
 * Everything a schema holds, as text to compare: its relations (name and kind) and every row of
 * every table, in a fixed order.
 */
export function pgSchemaContents(url: string, schema: string): Promise<string> {
  return withPg(url, async (client) => {
    const relations = await client.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 ORDER BY c.relname`,
      [schema],
    );
    const contents: Record<string, unknown> = { relations: relations.rows };
    for (const { name, kind } of relations.rows) {
      if (kind !== 'r') continue;
      const table = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
      const { rows } = await client.query(`SELECT t.*::text AS row FROM ${table} t ORDER BY 1`);
      contents[name] = rows.map((row: { row: string }) => row.row);
    }
    return JSON.stringify(contents);
  });
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * What a store holds, to compare before and after a command: the SQLite file's bytes, or the
 * database's schemas and everything in the event store's schema.
 */
export async function storeFingerprint(db: string, cwd: string): Promise<string> {
  if (!isPgUrl(db)) return sha256(readFileSync(resolve(cwd, db)));
  return sha256(JSON.stringify([await pgSchemas(db), await pgSchemaContents(db, 'eventlite')]));
}

/** The same for read models: the SQLite read database's bytes, or the read schema's contents. */
export async function readFingerprint(readDb: string, cwd: string): Promise<string> {
  if (!isPgUrl(readDb)) return sha256(readFileSync(resolve(cwd, readDb)));
  return sha256(
    JSON.stringify([await pgSchemas(readDb), await pgSchemaContents(readDb, 'eventlite_read')]),
  );
}

/** Whether a store exists: the SQLite file, or the `eventlite` schema in the database. */
export async function storeExists(db: string, cwd: string): Promise<boolean> {
  if (!isPgUrl(db)) return existsSync(resolve(cwd, db));
  return (await pgSchemas(db)).includes('eventlite');
}

/** Whether read models exist: the SQLite read file, or the `eventlite_read` schema. */
export async function readModelsExist(readDb: string, cwd: string): Promise<boolean> {
  if (!isPgUrl(readDb)) return existsSync(resolve(cwd, readDb));
  return (await pgSchemas(readDb)).includes('eventlite_read');
}

/** The read database beside a store, as `--read-db` would default: the URL itself on a server. */
export function defaultReadDb(db: string): string {
  if (isPgUrl(db)) return db;
  return db.endsWith('.db') ? `${db.slice(0, -3)}.read.db` : `${db}.read.db`;
}

/** harness.ts's readModel on either backend. */
export async function readModelAt(readDb: string, cwd: string): Promise<ReadModel> {
  if (!isPgUrl(readDb)) return sqliteReadModel(resolve(cwd, readDb));
  return withPg(readDb, async (client) => {
    const summary = await client.query(
      `SELECT account_id, owner, balance, deposits FROM eventlite_read.account_summary
       ORDER BY account_id`,
    );
    const applied = await client.query(
      `SELECT count(*)::int AS count, count(DISTINCT position)::int AS "distinct",
              coalesce(sum(position), 0)::int AS positions FROM eventlite_read.applied`,
    );
    return {
      summary: summary.rows as ReadModel['summary'],
      applied: applied.rows[0] as ReadModel['applied'],
    };
  });
}

/** harness.ts's checkpointOf on either backend: 0 before the read models or the row exist. */
export async function checkpointAt(
  readDb: string,
  cwd: string,
  name = 'account_summary',
): Promise<number> {
  if (!isPgUrl(readDb)) return sqliteCheckpointOf(resolve(cwd, readDb), name);
  return withPg(readDb, async (client) => {
    const table = await client.query<{ found: string | null }>(
      `SELECT to_regclass('eventlite_read.eventlite_projections')::text AS found`,
    );
    if (table.rows[0]?.found == null) return 0;
    const { rows } = await client.query<{ checkpoint: string }>(
      'SELECT checkpoint FROM eventlite_read.eventlite_projections WHERE name = $1',
      [name],
    );
    return rows[0] ? Number(rows[0].checkpoint) : 0;
  });
}

/** harness.ts's prepareStore on a given store: `events` bank events imported, a domain module. */
export async function prepareStoreOn(
  store: Pick<StoreUnderTest, 'env'>,
  dir: string,
  events: number,
  domain: DomainOptions = {},
): Promise<void> {
  writeDomain(dir, domain);
  writeFileSync(join(dir, 'log.ndjson'), bankLog(events));
  const imported = await runOn(store, ['import', 'log.ndjson'], { cwd: dir });
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
}
