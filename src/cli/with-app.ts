import { type AppContext, type ReadContext } from '../app/context.js';
import {
  judgeQueryWithoutReadModels,
  openQueryStore,
  openReadStore,
  shownLocation,
  type StoreMode,
  withEventStore,
} from '../app/open.js';
import type { Run } from './run.js';

// How a command reaches the application layer: what it opens for a use case, and the domain
// module, loaded on first use.

/**
 * The domain module the flags name, loaded (and checked) when first needed; the loader itself
 * is imported only then, so store-only commands never load it.
 */
export function domainLoader(run: Run) {
  return async () => {
    const { loadDomain } = await import('../app/load-domain.js');
    return loadDomain(run.ctx.domainPath, run.io.cwd, {
      env: run.io.env,
      onWarning: (text) => run.io.stderr.write(`warning: ${text}\n`),
    });
  };
}

export interface Needs {
  store: StoreMode;
  /** Open the read models: `write` creates them, `read` only looks (none yet: undefined). */
  read?: 'write' | 'read';
  signal?: AbortSignal;
}

/** Opens what a use case needs for the length of `work`, and closes it however `work` ends. */
export async function withApp<T>(
  run: Run,
  needs: Needs,
  work: (app: AppContext) => Promise<T>,
): Promise<T> {
  return withEventStore(run.ctx.locations, needs.store, async (store) => {
    const read = needs.read && (await openReadStore(run.ctx.locations, needs.read));
    try {
      return await work({
        store,
        read: read || undefined,
        readLocation: shownLocation(run.ctx.locations.readDb),
        domain: domainLoader(run),
        ...(run.ctx.clock && { clock: run.ctx.clock }),
        ...(run.ctx.purgeWaitMs !== undefined && { purgeWaitMs: run.ctx.purgeWaitMs }),
        signal: needs.signal,
      });
    } finally {
      if (read) await read.close();
    }
  });
}

/**
 * The read models alone, read-only, for `query` and `tables`: the store is not opened, and
 * with a query database (--query-db) they are read from that replica.
 */
export async function withReadModels<T>(
  run: Run,
  work: (app: ReadContext) => Promise<T>,
): Promise<T> {
  const { locations } = run.ctx;
  const read = await openQueryStore(locations);
  try {
    return await work({
      read,
      readLocation: shownLocation(locations.queryDb ?? locations.readDb),
      judgeQuery: (sql, params) => judgeQueryWithoutReadModels(locations, sql, params),
    });
  } finally {
    await read?.close();
  }
}
