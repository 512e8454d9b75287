import type { Check, ProjectionRow, StoreCounts } from '../core/ports.js';
import type { AppContext } from './context.js';
import { checkReadModelsOrigin, readModelsOriginCheck } from './read-models-origin.js';

export interface RecordedLag {
  name: string;
  version: number;
  /** As recorded: 'ok' or 'failed' (staleness needs the domain module; `projections` shows it). */
  status: string;
  checkpoint: number;
  lag: number;
}

export interface StoreStatus extends StoreCounts {
  schemaVersion: number;
  storeBytes: number;
  /** What the read models record, when they exist: no domain module needed. */
  projections?: RecordedLag[];
}

export async function storeStatus(ctx: AppContext): Promise<StoreStatus> {
  if (ctx.read) await checkReadModelsOrigin(ctx.store, ctx.read);
  const counts = await ctx.store.counts();
  const footprint = await ctx.store.footprint();
  const rows = await recordedRows(ctx);
  const status: StoreStatus = {
    ...counts,
    schemaVersion: footprint.schemaVersion,
    storeBytes: footprint.bytes,
  };
  if (rows) {
    status.projections = rows.map((row) => ({
      name: row.name,
      version: row.version,
      status: row.status,
      checkpoint: row.checkpoint,
      lag: Math.max(counts.head - row.checkpoint, 0),
    }));
  }
  return status;
}

/** The store's integrity checks, and with read models: checkpoints not past the head. */
export async function verifyStore(ctx: AppContext): Promise<Check[]> {
  const checks = await ctx.store.verify();
  const rows = await recordedRows(ctx);
  if (!rows || !ctx.read) return checks;
  const head = await ctx.store.head();
  const origin = await readModelsOriginCheck(ctx.store, ctx.read);
  const ahead = rows.filter((row) => row.checkpoint > head);
  const count = `${rows.length} projection checkpoint${rows.length === 1 ? '' : 's'}`;
  return [
    ...checks,
    origin,
    {
      name: 'checkpoints not past the head',
      ok: ahead.length === 0,
      detail:
        ahead.length === 0
          ? `${count} at or before ${head}`
          : ahead.map((row) => `"${row.name}" is at ${row.checkpoint}, head is ${head}`).join('; '),
    },
  ];
}

/** Undefined when there are no read models, or no projection has run in them yet. */
async function recordedRows(ctx: AppContext): Promise<ProjectionRow[] | undefined> {
  if (!ctx.read) return undefined;
  const rows = await ctx.read.projectionRows();
  return rows.size === 0 ? undefined : [...rows.values()];
}
