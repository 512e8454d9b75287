import { categoryOf, type Decider } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { NotFoundError } from '../core/errors.js';

/** A decider of the domain with the name it was exported under, for messages. */
export interface NamedDecider {
  name: string;
  decider: Decider<unknown, any, any>;
}

export function deciderForCommand(domain: Domain, commandType: string): NamedDecider {
  for (const [name, decider] of Object.entries(domain.deciders)) {
    if (decider.commands.includes(commandType)) return { name, decider };
  }
  throw new NotFoundError(
    `unknown command "${commandType}"; the domain handles ${commandTypes(domain).join(', ')}`,
  );
}

/** The decider that owns a stream: the one whose category is the part before the first `-`. */
export function deciderForStream(domain: Domain, stream: string): NamedDecider {
  const category = categoryOf(stream);
  for (const [name, decider] of Object.entries(domain.deciders)) {
    if (decider.category === category) return { name, decider };
  }
  const categories = Object.values(domain.deciders).map((decider) => `${decider.category}-…`);
  throw new NotFoundError(
    `no decider owns stream "${stream}"; the domain's streams are ${categories.join(', ')}`,
  );
}

export function commandTypes(domain: Domain): string[] {
  return Object.values(domain.deciders).flatMap((decider) => [...decider.commands]);
}
