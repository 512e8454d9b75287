import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';

/** Global options, after flags, environment and defaults are weighed (in that order). */
export interface Context {
  dbPath: string;
  readDbPath: string;
  /** Undefined when no flag, variable or default file names a domain module. */
  domainPath: string | undefined;
  quiet: boolean;
  debug: boolean;
  color: boolean;
}

interface GlobalFlags {
  db?: string;
  readDb?: string;
  domain?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

const DOMAIN_DEFAULTS = [
  'eventlite.config.ts',
  'eventlite.config.mts',
  'eventlite.config.js',
  'eventlite.config.mjs',
];

export function resolveContext(
  command: Command,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Context {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const dbPath = nonEmpty('--db', flags.db) ?? (env.EVENTLITE_DB || undefined) ?? 'eventlite.db';
  return {
    dbPath,
    readDbPath:
      nonEmpty('--read-db', flags.readDb) ??
      (env.EVENTLITE_READ_DB || undefined) ??
      defaultReadDbPath(dbPath),
    domainPath:
      nonEmpty('--domain', flags.domain) ??
      (env.EVENTLITE_DOMAIN || undefined) ??
      DOMAIN_DEFAULTS.map((name) => join(cwd, name)).find((path) => existsSync(path)),
    quiet: flags.quiet === true,
    debug: flags.debug === true,
    color: flags.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== ''),
  };
}

/** `eventlite.db` → `eventlite.read.db`; `/data/bank.db` → `/data/bank.read.db`. */
export function defaultReadDbPath(dbPath: string): string {
  if (dbPath.endsWith('.db')) return `${dbPath.slice(0, -3)}.read.db`;
  return join(dirname(dbPath), `${dbPath.slice(dirname(dbPath).length + 1)}.read.db`);
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new InputError(`${name} must not be empty`);
  return value;
}
