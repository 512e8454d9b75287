import { categoryOf, type Decider, type DeciderDefinition } from '../core/decider.js';
import type { Domain } from '../core/domain.js';
import { NotFoundError } from '../core/errors.js';

/** A decider of the domain with the name it was exported under, for messages. */
export interface NamedDecider {
  name: string;
  /** The decider in the one shape the rest of the code uses: see normalizeDecider. */
  decider: Decider<unknown, any, any>;
  /** The module wrote `decide` as a map of handlers: messages name `decide.Deposit()`. */
  handlerMap?: boolean;
}

export function deciderForCommand(domain: Domain, commandType: string): NamedDecider {
  for (const named of namedDeciders(domain)) {
    if (named.decider.commands.includes(commandType)) return named;
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

export function commandTypes(domain: Domain): string[] {
  return namedDeciders(domain).flatMap((named) => [...named.decider.commands]);
}

function namedDeciders(domain: Domain): NamedDecider[] {
  return Object.entries(domain.deciders).map(([name, definition]) => ({
    name,
    decider: normalizeDecider(definition),
    handlerMap: isHandlerMap(definition),
  }));
}

const normalized = new WeakMap<object, Decider<unknown, any, any>>();

/**
 * Both forms of a decider in one shape: the list form (`commands` and one `decide`). A list-form
 * decider is returned as it is, so it behaves exactly as before; a map of handlers becomes a
 * `commands` list of its keys and a `decide` that calls the command's handler. validateDomain
 * does this at load time; doing it here too serves domains built in code and never validated.
 */
export function normalizeDecider(
  definition: DeciderDefinition<unknown, any, any>,
): Decider<unknown, any, any> {
  if (!isHandlerMap(definition)) return definition as Decider<unknown, any, any>;
  const known = normalized.get(definition);
  if (known) return known;
  const handlers = definition.decide as Record<string, (command: unknown, state: unknown) => any>;
  const decider: Decider<unknown, any, any> = {
    category: definition.category,
    commands: Object.keys(handlers),
    streamId: (command) => definition.streamId(command),
    initialState: () => definition.initialState(),
    evolve: (state, event) => definition.evolve(state, event),
    // Called as a method of the map, as `decide.Deposit(command, state)` would be.
    decide: (command, state) => handlers[command.type]!(command, state),
  };
  if (definition.version !== undefined) decider.version = definition.version;
  if (definition.snapshot !== undefined) decider.snapshot = definition.snapshot;
  normalized.set(definition, decider);
  return decider;
}

function isHandlerMap(definition: DeciderDefinition<unknown, any, any>): boolean {
  const decide: unknown = definition.decide;
  return decide !== null && typeof decide === 'object' && !Array.isArray(decide);
}
