import type { ProjectionRow, ProjectionSchema } from '../../src/core/ports.js';
import type { Projection } from '../../src/core/projection.js';
import { definitionHashes } from '../../src/projections/definition.js';

type Identity = Pick<ProjectionSchema, 'name' | 'version' | 'definitionHash' | 'schemaHash'>;

/** The bookkeeping row a healthy run of `projection` leaves, at checkpoint 10, as its hashes are now. */
export function projectionRowFor(
  projection: Projection,
  overrides: Partial<ProjectionRow> = {},
): ProjectionRow {
  const hashes = definitionHashes(projection);
  const identity = {
    name: projection.name,
    version: projection.version,
    definitionHash: hashes.definition,
    schemaHash: hashes.schema,
  };
  return projectionRow(identity, { checkpoint: 10, ...overrides });
}

/**
 * The row a read store keeps for a projection with these hashes, just set up: healthy, at
 * checkpoint 0, never run, not rebuilding; `overrides` set what a test is about.
 */
export function projectionRow(
  identity: Identity,
  overrides: Partial<ProjectionRow> = {},
): ProjectionRow {
  return {
    name: identity.name,
    version: identity.version,
    definitionHash: identity.definitionHash,
    schemaHash: identity.schemaHash,
    checkpoint: 0,
    status: 'ok',
    error: null,
    failedPosition: null,
    failedStream: null,
    failedType: null,
    failedDuring: null,
    rebuildingPid: null,
    rebuildingSince: null,
    lastRunAt: null,
    parked: 0,
    skipped: 0,
    ...overrides,
  };
}
