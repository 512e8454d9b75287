import type { Projection } from '../../core/projection.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import { loadDomain } from '../../domain/load.js';
import { openReadDatabase, type Target } from '../../projections/index.js';
import { translateSqliteError, type Db } from '../../store/index.js';
import type { Context } from '../context.js';
import { withStore } from '../io.js';

/** The domain's projections, or the named ones in the order given. */
export async function selectProjections(
  ctx: Context,
  names: readonly string[],
): Promise<Projection[]> {
  const domain = await loadDomain(ctx.domainPath);
  const all = domain.projections ?? [];
  if (all.length === 0) {
    throw new InputError(`${ctx.domainPath}: the domain module defines no projections`);
  }
  if (names.length === 0) return [...all];
  return names.map((name) => {
    const projection = all.find((candidate) => candidate.name === name);
    if (!projection) {
      const known = all.map((candidate) => candidate.name).join(', ');
      throw new NotFoundError(`no projection named "${name}" (the domain defines: ${known})`);
    }
    return projection;
  });
}

/** The store (events in) and the read database (tables out), open for the length of `work`. */
export async function withProjectionDatabases<T>(
  ctx: Context,
  work: (store: Db, read: Target) => Promise<T>,
): Promise<T> {
  return withStore(ctx, { create: false }, async (store) => {
    const location = { readDbPath: ctx.readDbPath, storePath: ctx.dbPath };
    const db = openReadDatabase(location, { create: true });
    try {
      return await work(store, { db, path: ctx.readDbPath });
    } catch (error) {
      throw translateSqliteError(error, ctx.readDbPath);
    } finally {
      db.close();
    }
  });
}

/** `--timeout 2.5` → 2500 ms. */
export function parseSeconds(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new InputError(`${flag} must be a number of seconds, got "${text}"`);
  }
  return Math.round(Number(text) * 1000);
}
