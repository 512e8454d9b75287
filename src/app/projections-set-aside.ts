import { InputError, NotFoundError } from '../core/errors.js';
import type { SetAsideRow } from '../core/set-aside.js';
import {
  definitionHashes,
  retrySetAside,
  staleReason,
  type RetryResult,
} from '../projections/index.js';
import { domainOf, isoClockOf, readStoreOf, type AppContext } from './context.js';
import { checkReadModelsOrigin, claimReadModels } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';

/** The events a projection set aside (`onError: 'park' | 'skip'`), in position order. */
export async function projectionSetAside(ctx: AppContext, name: string): Promise<SetAsideRow[]> {
  const [projection] = selectProjections(await domainOf(ctx), [name]);
  if (!ctx.read) return [];
  await checkReadModelsOrigin(ctx.store, ctx.read);
  return ctx.read.setAsideEvents(projection!.name);
}

/**
 * Applies a projection's parked events again (its skipped ones too, with `skipped`) with its
 * handlers as they are now, once they are fixed. A projection whose tables are stale (its
 * version, setup or views changed) is refused: the rebuild that `projections run` makes
 * applies every event again anyway. Handlers changed since the events were set aside are
 * adopted, as `projections run` would.
 */
export async function retryProjection(
  ctx: AppContext,
  name: string,
  options: { skipped?: boolean; batchSize?: number } = {},
): Promise<RetryResult> {
  const [projection] = selectProjections(await domainOf(ctx), [name]);
  const read = readStoreOf(ctx);
  await claimReadModels(ctx.store, read);
  const row = await read.projectionRow(projection!.name);
  if (!row) {
    throw new NotFoundError(`projection "${name}" has not run yet: nothing is set aside`);
  }
  const hashes = definitionHashes(projection!);
  const stale = staleReason(row, projection!, hashes);
  if (stale) {
    throw new InputError(
      `projection "${name}" is stale (${stale}): "eventlite projections run ${name}" rebuilds it, which applies every event again`,
    );
  }
  if (row.definitionHash !== hashes.definition) {
    await read.adoptDefinitionHash(projection!.name, hashes.definition);
  }
  return retrySetAside({ events: ctx.store, read }, projection!, hashes, {
    skipped: options.skipped,
    batchSize: options.batchSize,
    now: isoClockOf(ctx),
  });
}
