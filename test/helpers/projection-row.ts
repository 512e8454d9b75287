import type { ProjectionRow } from '../../src/core/ports.js';
import type { Projection } from '../../src/core/projection.js';
import { definitionHashes } from '../../src/projections/definition.js';

/** The bookkeeping row a healthy run of `projection` leaves, at checkpoint 10, as its hashes are now. */
export function projectionRowFor(
  projection: Projection,
  overrides: Partial<ProjectionRow> = {},
): ProjectionRow {
  const hashes = definitionHashes(projection);
  return {
    name: projection.name,
    version: projection.version,
    definitionHash: hashes.definition,
    schemaHash: hashes.schema,
    checkpoint: 10,
    status: 'ok',
    error: null,
    failedPosition: null,
    failedStream: null,
    failedType: null,
    failedDuring: null,
    rebuildingPid: null,
    rebuildingSince: null,
    lastRunAt: null,
    ...overrides,
  };
}
