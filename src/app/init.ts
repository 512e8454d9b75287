import { scaffoldDomain } from './domain-scaffold.js';
import { scaffoldExample, type Scaffolded } from './examples.js';
import { openEventStore, type Locations } from './open.js';

/**
 * Creates the store (a no-op for one that exists) and, with an example or a new domain's name,
 * writes its domain module, scenario and specs into `cwd` first: if they may not be written,
 * nothing is created. Returns what it wrote and removed.
 */
export async function initStore(
  locations: Locations,
  options: { example?: string; domain?: string; force?: boolean } = {},
): Promise<Scaffolded> {
  const force = options.force === true;
  const scaffolded =
    options.example !== undefined
      ? scaffoldExample(options.example, locations.cwd, { force })
      : options.domain !== undefined
        ? scaffoldDomain(options.domain, locations.cwd, { force })
        : { written: [], removed: [], otherSpecs: [] };
  const store = await openEventStore(locations, 'create');
  await store.close();
  return scaffolded;
}
