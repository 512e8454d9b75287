import type { Command, DecidedEvent, Decider } from './decider.js';
import { DomainRejection, InputError } from './errors.js';
import type { Projection } from './projection.js';

/** What a domain module exports by default. */
export interface Domain {
  deciders: Record<string, Decider<any, any, any>>;
  projections?: readonly Projection[];
}

/** Identity at run time; gives a domain module types and editor help. */
export function defineDomain<D extends Domain>(domain: D): D {
  return domain;
}

/** Typed identity for one decider, so its state, commands and events are checked together. */
export function defineDecider<State, C extends Command, E extends DecidedEvent>(
  decider: Decider<State, C, E>,
): Decider<State, C, E> {
  return decider;
}

export function defineProjection<P extends Projection>(projection: P): P {
  return projection;
}

/**
 * Refuse a command for a business reason: `exec` exits 4 with this message. `reason` is a
 * stable name for the rule (`InsufficientFunds`) that specs can match on.
 */
export function reject(message: string, reason?: string): never {
  throw new DomainRejection(message, reason);
}

/**
 * Refuse a command whose data is malformed (a missing field, a string where a number belongs):
 * `exec` exits 2, as for any bad input. Business rules use `reject()` instead.
 */
export function invalidData(message: string): never {
  throw new InputError(message);
}
