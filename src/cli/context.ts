import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseInstant, steppingClock } from '../app/clock.js';
import { defaultReadDb, type Locations } from '../app/open.js';
import { InputError } from '../core/errors.js';
import { parseSeconds } from './commands/projections-shared.js';

/** Global options, after flags, environment and defaults are weighed (in that order). */
export interface Context {
  locations: Locations;
  /** Undefined when no flag, variable or default file names a domain module. */
  domainPath: string | undefined;
  quiet: boolean;
  debug: boolean;
  color: boolean;
  /** `--clock` / `EVENTLITE_CLOCK`: a clock that starts there and steps a second per reading. */
  clock: (() => Date) | undefined;
  /** `EVENTLITE_PURGE_WAIT` seconds, in ms: see docs/lifecycle.md. */
  purgeWaitMs: number | undefined;
}

export interface GlobalFlags {
  db?: string;
  readDb?: string;
  domain?: string;
  queryRole?: string;
  queryDb?: string;
  color?: boolean;
  quiet?: boolean;
  debug?: boolean;
  clock?: string;
}

const DOMAIN_DEFAULTS = [
  'eventlite.config.ts',
  'eventlite.config.mts',
  'eventlite.config.js',
  'eventlite.config.mjs',
];

export function resolveContext(
  command: Command,
  env: Record<string, string | undefined>,
  cwd: string,
): Context {
  return contextOf(command.optsWithGlobals<GlobalFlags>(), env, cwd);
}

/** The same from flags already parsed (`__complete` reads them without commander). */
export function contextOf(
  flags: GlobalFlags,
  env: Record<string, string | undefined>,
  cwd: string,
): Context {
  const db = nonEmpty('--db', flags.db) ?? (env.EVENTLITE_DB || undefined) ?? 'eventlite.db';
  const readDb =
    nonEmpty('--read-db', flags.readDb) ??
    (env.EVENTLITE_READ_DB || undefined) ??
    defaultReadDb(db);
  const queryRole =
    nonEmpty('--query-role', flags.queryRole) ?? (env.EVENTLITE_QUERY_ROLE || undefined);
  const queryDb = nonEmpty('--query-db', flags.queryDb) ?? (env.EVENTLITE_QUERY_DB || undefined);
  const clockText = nonEmpty('--clock', flags.clock) ?? (env.EVENTLITE_CLOCK || undefined);
  const clockName = flags.clock === undefined ? 'EVENTLITE_CLOCK' : '--clock';
  return {
    locations: {
      db,
      readDb,
      cwd,
      ...(queryRole !== undefined && { queryRole }),
      ...(queryDb !== undefined && { queryDb }),
    },
    domainPath:
      nonEmpty('--domain', flags.domain) ??
      (env.EVENTLITE_DOMAIN || undefined) ??
      DOMAIN_DEFAULTS.find((name) => existsSync(join(cwd, name))),
    quiet: flags.quiet === true,
    debug: flags.debug === true,
    color: flags.color !== false && !('NO_COLOR' in env && env.NO_COLOR !== ''),
    clock:
      clockText === undefined
        ? undefined
        : steppingClock(parseInstant(clockName, clockText), `${clockName} ${clockText}`),
    purgeWaitMs: env.EVENTLITE_PURGE_WAIT
      ? parseSeconds('EVENTLITE_PURGE_WAIT', env.EVENTLITE_PURGE_WAIT)
      : undefined,
  };
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new InputError(`${name} must not be empty`);
  return value;
}
