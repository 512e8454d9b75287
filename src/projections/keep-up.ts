import type { Projection } from '../core/projection.js';
import { catchUpProjection, type CatchUpOptions, type Stores } from './catch-up.js';
import type { DefinitionHashes } from './definition.js';
import { lifecycleStaleReason, readLifecycleAudits } from './lifecycle.js';
import { rebuildProjection } from './rebuild.js';

export interface KeptUp {
  checkpoint: number;
  /** Rebuilt from event 1 because a lifecycle command changed events it had read. */
  rebuilt: boolean;
  /** A rebuild was interrupted: the old tables stay, at `checkpoint`. */
  interrupted: boolean;
}

/**
 * Catches a projection up, rebuilding it first when a lifecycle command has removed or
 * rewritten events it read (see lifecycle.ts). The catch-up stops at the head as it was
 * before the audit events were read: an audit event committed after that lies past where it
 * stops, and the next run sees it before going on. A rebuild reads only what its audit events
 * left, so those count as handled in this run even when `until` stops it short of them.
 */
export async function keepUp(
  stores: Stores,
  projection: Projection,
  hashes: DefinitionHashes,
  options: CatchUpOptions & { onNotice?: (text: string) => void },
): Promise<KeptUp> {
  let handled = 0;
  let rebuilt = false;
  for (;;) {
    const target = Math.min(await stores.events.head(), options.until ?? Infinity);
    const audits = (await readLifecycleAudits(stores.events)).filter(
      (audit) => audit.position > handled,
    );
    const row = await stores.read.projectionRow(projection.name);
    const reason = row && lifecycleStaleReason(row.checkpoint, projection, audits);
    if (!reason) {
      const until = { ...options, until: target };
      const checkpoint = await catchUpProjection(stores, projection, hashes, until);
      return { checkpoint, rebuilt, interrupted: false };
    }
    options.onNotice?.(`rebuilding projection "${projection.name}" from event 1 (${reason})`);
    handled = Math.max(...audits.map((audit) => audit.position));
    if ((await rebuildProjection(stores, projection, hashes, options)) === undefined) {
      return { checkpoint: row.checkpoint, rebuilt, interrupted: true };
    }
    rebuilt = true;
  }
}
