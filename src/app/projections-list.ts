import type { ProjectionRow } from '../core/ports.js';
import {
  projectionStates,
  readLifecycleAudits,
  type ProjectionState,
} from '../projections/index.js';
import { domainOf, type AppContext } from './context.js';
import { checkReadModelsOrigin } from './read-models-origin.js';
import { selectProjections } from './select-projections.js';

/** Each defined (or named) projection's status, checkpoint and lag; looking creates nothing. */
export async function listProjections(
  ctx: AppContext,
  names: readonly string[] = [],
): Promise<ProjectionState[]> {
  const defined = selectProjections(await domainOf(ctx), names);
  const head = await ctx.store.head();
  if (ctx.read) await checkReadModelsOrigin(ctx.store, ctx.read);
  const rows = ctx.read ? await ctx.read.projectionRows() : new Map<string, ProjectionRow>();
  return projectionStates(rows, head, defined, await readLifecycleAudits(ctx.store));
}
export { type ProjectionState, type ProjectionStatus } from '../projections/index.js';
