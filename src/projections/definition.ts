import { createHash } from 'node:crypto';
import type { Projection } from '../core/projection.js';
import type { ProjectionRow } from '../core/ports.js';

export interface DefinitionHashes {
  /** setup, views and the source of every handler */
  definition: string;
  /** setup and views only: what the tables look like */
  schema: string;
}

/**
 * Hashes of what a projection is made of, so a changed definition is noticed even when its
 * author forgot to bump `version`. Handlers are hashed by their source text: a change in a
 * function they call from elsewhere goes unnoticed, which is what `version` is for.
 */
export function definitionHashes(projection: Projection): DefinitionHashes {
  const schema = { setup: projection.setup, views: projection.views ?? [] };
  const handlers = Object.keys(projection.on)
    .sort()
    .map((type) => [type, String(projection.on[type])]);
  return {
    definition: sha256(JSON.stringify({ ...schema, handlers })),
    schema: sha256(JSON.stringify(schema)),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Why the stored tables no longer match the definition (so they must be rebuilt), or
 * undefined when they still do.
 *
 * One exception keeps "fix the handler, run again" working: when a catch-up failed and only
 * handler sources changed since (same version, same tables), the fix applies from the failing
 * event on, because every event before it was projected correctly by the old code.
 */
export function staleReason(row: ProjectionRow, projection: Projection): string | undefined {
  const hashes = definitionHashes(projection);
  if (row.version !== projection.version) {
    return `version ${row.version} → ${projection.version}`;
  }
  if (row.schemaHash !== hashes.schema) return 'its setup or views changed';
  if (row.definitionHash === hashes.definition) return undefined;
  if (isFixAfterFailure(row)) return undefined;
  return 'its handlers changed';
}

export function isFixAfterFailure(row: ProjectionRow): boolean {
  return row.status === 'failed' && row.failedDuring === 'catch-up';
}
