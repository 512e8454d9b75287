import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnCli, type CliResult } from '../helpers/cli.js';
import { bankLog, writeDomain, type DomainOptions } from './fixtures.js';

/** Runs the built CLI in `dir` with the test domain module. */
export function cli(dir: string, args: readonly string[], input?: string): Promise<CliResult> {
  return spawnCli(['--domain', 'domain.mjs', ...args], { cwd: dir, input });
}

/** A store of `events` bank events in `dir` (through `eventlite import`) and a domain module. */
export async function prepareStore(
  dir: string,
  events: number,
  domain: DomainOptions = {},
): Promise<void> {
  writeDomain(dir, domain);
  writeFileSync(join(dir, 'log.ndjson'), bankLog(events));
  const imported = await cli(dir, ['import', 'log.ndjson']);
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
}

export interface ReadModel {
  summary: { account_id: string; owner: string; balance: number; deposits: number }[];
  applied: { count: number; distinct: number; positions: number };
}

/** The projection's tables as plain data, read the way a query would (read-only). */
export function readModel(path: string): ReadModel {
  const db = new Database(path, { readonly: true });
  try {
    return {
      summary: db
        .prepare(
          'SELECT account_id, owner, balance, deposits FROM account_summary ORDER BY account_id',
        )
        .all() as ReadModel['summary'],
      applied: db
        .prepare(
          `SELECT count(*) AS count, count(DISTINCT position) AS "distinct",
                  coalesce(sum(position), 0) AS positions FROM applied`,
        )
        .get() as ReadModel['applied'],
    };
  } finally {
    db.close();
  }
}

/** A projection's stored checkpoint; 0 before the read database or its row exists. */
export function checkpointOf(path: string, name = 'account_summary'): number {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true });
  try {
    db.pragma('busy_timeout = 1000');
    const hasTable = db
      .prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'eventlite_projections'`)
      .get();
    if (!hasTable) return 0;
    const row = db
      .prepare('SELECT checkpoint FROM eventlite_projections WHERE name = ?')
      .get(name) as { checkpoint: number } | undefined;
    return row?.checkpoint ?? 0;
  } finally {
    db.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sum of 1..n: what `applied.positions` must be once every event 1..n is applied once. */
export function triangle(n: number): number {
  return (n * (n + 1)) / 2;
}
