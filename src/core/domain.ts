import type { Command, DecidedEvent, Decider } from './decider.js';
import { DomainRejection, InputError } from './errors.js';
import type { CommandDeclarations, EventDeclarations } from './event-types.js';
import { looksLikeReason } from './reason.js';
import type { Projection, ProjectionDefinition } from './projection.js';

/** What a domain module exports by default. */
export interface Domain {
  deciders: Record<string, Decider<any, any, any>>;
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
 * Typed identity for one decider, so its state, commands and events are checked together:
 * each handler of the `decide` map gets its own command type.
 */
export function defineDecider<State, C extends Command, E extends DecidedEvent>(
  decider: Decider<State, C, E>,
): Decider<State, C, E> {
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
 * `reason` is a stable name for the rule (`InsufficientFunds`) that specs can match on. A
 * reason that is not such a name (text for people) is a mistake in the domain module, not a
 * refusal: it throws a TypeError, which `exec` reports as the handler's failure (exit 1).
 */
export function reject(reason: string, message?: string): never {
  if (!looksLikeReason(reason)) {
    throw new TypeError(
      `reject() takes a reason first, a name such as InsufficientFunds, got ${JSON.stringify(reason)}; the text for people goes second: reject('Reason', 'what happened')`,
    );
  }
  throw new DomainRejection(message === undefined ? reason : `${reason}: ${message}`, reason);
}

/**
 * Refuse a command whose data is malformed (a missing field, a string where a number belongs):
 * `exec` exits 2, as for any bad input. Business rules use `reject()` instead.
 */
export function invalidData(message: string): never {
  throw new InputError(message);
}
