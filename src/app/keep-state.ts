import { EventliteError } from '../core/errors.js';
import type { AppendResult } from '../core/ports.js';
import { foldEvents } from '../domain/decide.js';
import type { NamedDecider } from '../domain/lookup.js';
import { clockOf, type AppContext } from './context.js';
import type { ExecStep, SnapshotOutcome } from './exec.js';
import type { LoadedState, StateCache } from './load-state.js';

/**
 * After an append: the state with the new events folded in, kept for this process's next
 * command, and stored as a snapshot when one is due. Outside the append's transaction, and
 * never a failure of the command, whose events are committed: a state that cannot be folded
 * or stored here is simply not kept, and the next command folds from further back.
 */
export async function keepNewState(
  ctx: AppContext,
  named: NamedDecider,
  loaded: LoadedState,
  result: AppendResult,
  states: StateCache | undefined,
  observe: ((step: ExecStep) => void) | undefined,
): Promise<void> {
  const { policy } = loaded;
  const last = result.events.at(-1);
  const due = policy !== undefined && result.version >= loaded.snapshotVersion + policy.every;
  if (last === undefined || (!states && !due)) return;
  let state: unknown;
  try {
    state = foldEvents(named, result.events, { state: loaded.state });
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    states?.forget(result.stream);
    return;
  }
  let snapshotVersion = loaded.snapshotVersion;
  if (due) {
    const snapshot = { stream: result.stream, version: last.version, eventId: last.id };
    const outcome = await storeSnapshot(ctx, policy, { ...snapshot, state });
    observe?.({ kind: 'snapshot', stream: result.stream, version: last.version, outcome });
    if (outcome.stored) snapshotVersion = last.version;
  }
  states?.keep(result.stream, {
    key: loaded.key,
    state,
    version: last.version,
    eventId: last.id,
    snapshotVersion,
  });
}

async function storeSnapshot(
  ctx: AppContext,
  policy: NonNullable<LoadedState['policy']>,
  snapshot: { stream: string; version: number; eventId: string; state: unknown },
): Promise<SnapshotOutcome> {
  try {
    const text = policy.encode(snapshot.state);
    if (text === undefined) return { stored: false, reason: 'not-json' };
    await ctx.store.writeSnapshot(
      { ...snapshot, decider: policy.key, state: text },
      { now: clockOf(ctx) },
    );
    return { stored: true };
  } catch (error) {
    if (!(error instanceof EventliteError)) throw error;
    return { stored: false, reason: 'failed', error };
  }
}
