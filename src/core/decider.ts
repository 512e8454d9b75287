import type { JsonObject, RecordedEvent } from './events.js';

/** A command as it reaches a decider: `exec Deposit '{"accountId":"a1","amount":100}'`. */
export interface Command<Type extends string = string, Data = JsonObject> {
  type: Type;
  data: Data;
}

/** An event as a decider proposes it; the store adds position, version, id and time. */
export interface DecidedEvent<Type extends string = string, Data = JsonObject> {
  type: Type;
  data: Data;
}

/**
 * How a decider's states are snapshotted (see docs/domain.md, "Snapshots"). A snapshot is stored only when
 * reading it back gives a state deep-equal to the one folded, so a state that JSON cannot hold
 * (a Map, a Date, a class instance, an `undefined` field) is not snapshotted unless
 * `serialize` and `deserialize` carry it.
 */
export interface SnapshotOptions<State = unknown> {
  /** Take one every this many events of a stream (default 100). */
  every?: number;
  /** The state as a JSON value; give `deserialize` with it. */
  serialize?(state: State): unknown;
  /** The state back from what `serialize` gave. */
  deserialize?(json: unknown): State;
}

/**
 * Three plain functions, a category and a map of handlers. A decider owns the streams of one
 * category: the stream of a command is `${category}-${streamId(command)}`, e.g. `account-a1`.
 * `decide` maps each command type it handles to a handler, which returns the new events or
 * throws (a DomainRejection, via `reject()`, for a broken rule). The map's keys are the
 * decider's commands, so a command type without a handler (or a handler for no command) is a
 * compile error. `evolve` is total and returns the state unchanged for events it does not know.
 */
export interface Decider<
  State = unknown,
  C extends Command = Command,
  E extends DecidedEvent = DecidedEvent,
> {
  category: string;
  streamId(command: C): string;
  initialState(): State;
  evolve(state: State, event: RecordedEvent & E): State;
  decide: CommandHandlers<State, C, E>;
  /**
   * Bump it when evolve() folds differently for a reason its module's source does not show (a
   * package it imports changed): stored snapshots of another version are never read.
   */
  version?: number;
  /** `false`: never snapshot this decider's streams. */
  snapshot?: SnapshotOptions<State> | false;
}

/** One handler per command type; each receives its own command type, narrowed. */
export type CommandHandlers<State, C extends Command, E extends DecidedEvent> = {
  [Type in C['type']]: (command: Extract<C, { type: Type }>, state: State) => readonly E[];
};

/** The category of a stream name: the part before the first `-`. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}
