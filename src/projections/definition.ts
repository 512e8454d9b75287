import { createHash } from 'node:crypto';
import { canonicalSql } from '../core/dialect.js';
import { eventReadingOfProjection } from '../core/event-reading.js';
import type { Projection } from '../core/projection.js';
import type { ProjectionRow } from '../core/ports.js';
import { sourceHashOf } from '../core/source-hash.js';

export interface DefinitionHashes {
  /**
   * setup, views, the source of every handler, how its events are read (their old names and
   * upcasters, when they have any) and, when loaded from files, their hash
   */
  definition: string;
  /** setup, views and materialized views only: what the tables look like */
  schema: string;
}

/**
 * Hashes of what a projection is made of, so a changed definition is noticed even when its
 * author forgot to bump `version`. Handlers are hashed by their source text. A projection
 * that loadDomain read from files also carries the hash of all the module's source files
 * (module-hash.ts), so that an edit to a helper a handler calls is noticed too.
 *
 * One parameter only: `projections.map(definitionHashes)` must not pass an index for a hash.
 */
export function definitionHashes(projection: Projection): DefinitionHashes {
  return hashDefinition(projection, sourceHashOf(projection), upcastingOf(projection));
}

/** What reading the projection's events takes (see EventReading.fingerprint), if anything. */
function upcastingOf(projection: Projection): string | undefined {
  return eventReadingOfProjection(projection)?.fingerprint(Object.keys(projection.on));
}

/**
 * definitionHashes with the module's source hash given. It goes into the definition hash
 * only, not the schema hash, so an edit to the module's files after a failed catch-up counts
 * as a fix (see staleReason). Without one the text hashed is what it always was, so the
 * projections of a domain built in code are not made stale by this version of eventlite.
 */
export function hashDefinition(
  projection: Projection,
  sourceHash: string | undefined,
  upcasting?: string,
): DefinitionHashes {
  const schema = schemaOf(projection);
  const handlers = Object.keys(projection.on)
    .sort()
    .map((type) => [type, String(projection.on[type])]);
  // Only when there is one: a projection without it hashes as it did before it existed.
  if (projection.onLifecycle) handlers.push(['(onLifecycle)', String(projection.onLifecycle)]);
  const definition: Record<string, unknown> =
    sourceHash === undefined ? { ...schema, handlers } : { ...schema, handlers, sourceHash };
  // Only when its events are upcast or renamed: the hash of every other projection stays.
  if (upcasting !== undefined) definition.upcasting = upcasting;
  return {
    definition: sha256(JSON.stringify(definition)),
    schema: sha256(JSON.stringify(schema)),
  };
}

/**
 * What the tables are made from, as hashed: every SQL text, both texts of a per-dialect one (in
 * a fixed key order). The `materializedViews` key is there only when there are some, so that
 * a projection with neither materialized views nor per-dialect SQL hashes exactly as it did
 * before they existed, and its read models are not made stale by an upgrade.
 */
function schemaOf(projection: Projection): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    setup: projection.setup.map(canonicalSql),
    views: (projection.views ?? []).map(canonicalSql),
  };
  const materialized = projection.materializedViews ?? [];
  if (materialized.length > 0) {
    schema.materializedViews = materialized.map((view) => ({
      name: view.name,
      query: canonicalSql(view.query),
    }));
  }
  return schema;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Why the stored tables no longer match the definition (so they must be rebuilt), or
 * undefined when they still do.
 *
 * One exception keeps "fix the handler, run again" working: when a catch-up failed and only
 * handler sources or the module's files changed since (same version, same tables), the fix
 * applies from the failing event on, because every event before it was projected correctly
 * by the old code. The same holds while events are set aside (`onError: 'skip' | 'park'`):
 * the fix applies from the checkpoint on, and `projections retry` applies the parked events
 * with it. `its handlers changed` covers the module's files too: the row keeps one hash for
 * both, so which of them changed cannot be told apart.
 */
export function staleReason(
  row: ProjectionRow,
  projection: Projection,
  hashes: DefinitionHashes = definitionHashes(projection),
): string | undefined {
  if (row.version !== projection.version) {
    return `version ${row.version} → ${projection.version}`;
  }
  if (row.schemaHash !== hashes.schema) return 'its setup or views changed';
  if (row.definitionHash === hashes.definition) return undefined;
  if (isFixAfterFailure(row) || hasSetAside(row)) return undefined;
  return upcastingOf(projection) === undefined
    ? 'its handlers changed'
    : "its handlers or its events' upcasters changed";
}

export function hasSetAside(row: ProjectionRow): boolean {
  return row.parked + row.skipped > 0;
}

export function isFixAfterFailure(row: ProjectionRow): boolean {
  return row.status === 'failed' && row.failedDuring === 'catch-up';
}
