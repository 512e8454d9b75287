import { InputError, NotFoundError } from '../core/errors.js';
import { validateName } from '../core/input.js';
import { deciderForStream } from '../domain/lookup.js';
import { domainOf, type AppContext } from './context.js';
import { loadState, type FoldBase } from './load-state.js';
import { refuseDeletedStream } from './read.js';

export interface StreamState {
  stream: string;
  /** The name of the decider that folded it. */
  decider: string;
  /** The version the state is as of. */
  version: number;
  state: unknown;
  /** Where the fold started: the nearest snapshot at or below `version`, when there is one. */
  base: FoldBase;
}

/** The state the owning decider folds from a stream's events, up to `at` when given. */
export async function streamState(
  ctx: AppContext,
  stream: string,
  options: { at?: number } = {},
): Promise<StreamState> {
  validateName('stream', stream);
  const domain = await domainOf(ctx);
  const named = deciderForStream(domain, stream);
  await refuseDeletedStream(ctx.store, stream);
  const current = await ctx.store.streamVersion(stream);
  if (current === 0) throw new NotFoundError(`stream "${stream}" does not exist`);
  const version = options.at ?? current;
  if (version > current) {
    throw new InputError(
      `--at ${version} is past the end of "${stream}", which is at version ${current}`,
    );
  }
  // `--at 0` reads nothing and so gives the decider's initial state.
  const loaded = await loadState(ctx.store, domain, named, stream, { atMost: version });
  return { stream, decider: named.name, version, state: loaded.state, base: loaded.base };
}
