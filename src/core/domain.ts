import type {
  Command,
  DecidedEvent,
  Decider,
  DeciderDefinition,
  HandlerMapDecider,
} from './decider.js';
import { DomainRejection, InputError } from './errors.js';
import type { CommandDeclarations, EventDeclarations } from './event-types.js';
import { looksLikeReason } from './reason.js';
import type { Projection, ProjectionDefinition } from './projection.js';

/** What a domain module exports by default. */
export interface Domain {
  /** Each decider in either form: a map of handlers, or a commands list and one decide(). */
  deciders: Record<string, DeciderDefinition<any, any, any>>;
  /** Schemas for command data, by command type (see docs/evolution.md). */
  commands?: CommandDeclarations;
  /**
   * The event types the domain appends, with their schemas, versions and upcasters, and the
   * old names stored events may have (see docs/evolution.md). Declared, a decider may append
   * only these types.
   */
  events?: EventDeclarations;
  projections?: readonly Projection[];
}

/** Identity at run time; gives a domain module types and editor help. */
export function defineDomain<D extends Domain>(domain: D): D {
  return domain;
}

/**
 * Typed identity for one decider, so its state, commands and events are checked together.
 * `decide` is either a map of handlers keyed by command type, each handler getting its own
 * command type, or (the earlier form) one function beside a `commands` list.
 */
export function defineDecider<State, C extends Command, E extends DecidedEvent>(
  decider: HandlerMapDecider<State, C, E>,
): HandlerMapDecider<State, C, E>;
export function defineDecider<State, C extends Command, E extends DecidedEvent>(
  decider: Decider<State, C, E>,
): Decider<State, C, E>;
export function defineDecider(decider: DeciderDefinition): DeciderDefinition {
  return decider;
}

/**
 * Identity at run time. With the event union as type argument, `defineProjection<Event>()`
 * lets `on` name only that union's event types and types each handler's `event.data`.
 */
export function defineProjection<E extends DecidedEvent = DecidedEvent<string, any>>(
  projection: ProjectionDefinition<E>,
): Projection {
  // The runner calls on[type] only with events of that type, which is what the narrower
  // handler types promise; Projection's looser handler type cannot say so.
  return projection as unknown as Projection;
}

/**
 * Refuse a command for a business reason: `exec` exits 4 and prints `reason: message`.
 * `reason` is a stable name for the rule (`InsufficientFunds`) that specs can match on.
 *
 * Modules written for the earlier `reject(message, reason?)` keep working. The first argument
 * tells the two orders apart: when it looks like a reason (see looksLikeReason) the call is
 * `reject(reason, message?)`; otherwise it is the earlier `reject(message, reason?)` and the
 * rejection carries exactly what it carried before.
 */
export function reject(reason: string, message?: string): never {
  if (!looksLikeReason(reason)) throw new DomainRejection(reason, message);
  throw new DomainRejection(message === undefined ? reason : `${reason}: ${message}`, reason);
}

/**
 * Refuse a command whose data is malformed (a missing field, a string where a number belongs):
 * `exec` exits 2, as for any bad input. Business rules use `reject()` instead.
 */
export function invalidData(message: string): never {
  throw new InputError(message);
}
