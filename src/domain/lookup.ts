import { categoryOf, type Decider } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { NotFoundError } from '../core/errors.js';

/** A decider of the domain with the name it was exported under, for messages. */
export interface NamedDecider {
  name: string;
  decider: Decider<unknown, any, any>;
}

export function deciderForCommand(domain: Domain, commandType: string): NamedDecider {
  for (const named of namedDeciders(domain)) {
    if (handles(named.decider, commandType)) return named;
  }
  throw new NotFoundError(
    `unknown command "${commandType}"; the domain handles ${commandTypes(domain).join(', ')}`,
  );
}

/** The decider that owns a stream: the one whose category is the part before the first `-`. */
export function deciderForStream(domain: Domain, stream: string): NamedDecider {
  const category = categoryOf(stream);
  const deciders = namedDeciders(domain);
  const owner = deciders.find((named) => named.decider.category === category);
  if (owner) return owner;
  const categories = deciders.map((named) => `${named.decider.category}-…`);
  throw new NotFoundError(
    `no decider owns stream "${stream}"; the domain's streams are ${categories.join(', ')}`,
  );
}

/** Every command type of the domain: the keys of its deciders' `decide` maps. */
export function commandTypes(domain: Domain): string[] {
  return namedDeciders(domain).flatMap((named) => Object.keys(named.decider.decide));
}

/** Own keys only: `toString` or `constructor` is no command, whatever the map inherits. */
function handles(decider: Decider<unknown, any, any>, commandType: string): boolean {
  return Object.hasOwn(decider.decide, commandType);
}

function namedDeciders(domain: Domain): NamedDecider[] {
  return Object.entries(domain.deciders).map(([name, decider]) => ({ name, decider }));
}
