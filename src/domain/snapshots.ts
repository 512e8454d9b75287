import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Domain } from '../core/domain.js';
import { eventReadingOf } from '../core/event-reading.js';
import { sourceHashOf } from '../core/source-hash.js';
import { callUserCode } from './decide.js';
import type { NamedDecider } from './lookup.js';

// A snapshot belongs to the decider's definition: its key is the decider's name, version and
// a hash of what its states are made by. A domain loaded from files hashes all the module's
// source files (module-hash.ts), so any edit there, even one that cannot change a state,
// leaves the old snapshots unread; a domain built in code hashes its functions' own source.

/** The default number of events between two snapshots of a stream. */
export const DEFAULT_SNAPSHOT_EVERY = 100;

export interface SnapshotPolicy {
  /** `name@version:hash`: what a stored snapshot must carry to be read. */
  key: string;
  every: number;
  /** The state as JSON text, or undefined when reading it back would not give the same state. */
  encode(state: unknown): string | undefined;
  decode(text: string): unknown;
}

const policies = new WeakMap<object, SnapshotPolicy | undefined>();

/** How the decider's states are snapshotted; undefined when it asks for none (`snapshot: false`). */
export function snapshotPolicyOf(domain: Domain, named: NamedDecider): SnapshotPolicy | undefined {
  if (policies.has(named.decider)) return policies.get(named.decider);
  const policy = makePolicy(domain, named);
  policies.set(named.decider, policy);
  return policy;
}

function makePolicy(domain: Domain, { name, decider }: NamedDecider): SnapshotPolicy | undefined {
  if (decider.snapshot === false) return undefined;
  const options = decider.snapshot ?? {};
  const definition = domain.deciders[name] ?? decider;
  const made: Record<string, string | null> = {
    sourceHash: sourceHashOf(domain) ?? null,
    initialState: String(definition.initialState),
    evolve: String(definition.evolve),
    serialize: options.serialize ? String(options.serialize) : null,
    deserialize: options.deserialize ? String(options.deserialize) : null,
  };
  // A state folded from upcast events depends on the upcasters too. Only when there are any,
  // so that the snapshots of a domain without them keep their keys.
  const upcasting = eventReadingOf(domain)?.fingerprint();
  if (upcasting !== undefined) made.upcasting = upcasting;
  const hash = createHash('sha256').update(JSON.stringify(made)).digest('hex').slice(0, 16);
  const serialize = options.serialize?.bind(options) ?? ((state: unknown) => state);
  const deserialize = options.deserialize?.bind(options) ?? ((json: unknown) => json);
  const decode = (text: string) =>
    callUserCode(`decider "${name}" snapshot.deserialize()`, () => deserialize(JSON.parse(text)));
  return {
    key: `${name}@${decider.version ?? 1}:${hash}`,
    every: options.every ?? DEFAULT_SNAPSHOT_EVERY,
    encode(state) {
      const text = JSON.stringify(
        callUserCode(`decider "${name}" snapshot.serialize()`, () => serialize(state)),
      ) as string | undefined;
      // Only a state that reads back exactly is stored: anything else could decide differently.
      return text !== undefined && isDeepStrictEqual(decode(text), state) ? text : undefined;
    },
    decode,
  };
}
