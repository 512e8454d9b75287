import type { Domain } from './domain.js';
import type { Projection } from './projection.js';

// Which source files a loaded domain came from, as a hash: the domain loader records it, and
// the runner folds it into each projection's definition hash (src/projections/definition.ts).
// A registry rather than a field, so that user objects are never written to.

const sourceHashes = new WeakMap<object, string>();

/** Records the hash of the files a domain was loaded from, for it and each of its projections. */
export function attachSourceHash(domain: Domain, hash: string): void {
  sourceHashes.set(domain, hash);
  for (const projection of domain.projections ?? []) sourceHashes.set(projection, hash);
}

/**
 * The hash of the source files a domain (or one of its projections) was loaded from; undefined
 * for one built in code, whose handlers' own source is all there is to compare.
 */
export function sourceHashOf(owner: Domain | Projection): string | undefined {
  return sourceHashes.get(owner);
}
