import { scaffoldExample, type Scaffolded } from './examples.js';
import { openEventStore, type Locations } from './open.js';

/**
 * Creates the store (a no-op for one that exists) and, with an example, writes its domain
 * module, scenario and specs into `cwd` first: if they may not be written, nothing is created.
 * Returns what it wrote and removed.
 */
export async function initStore(
  locations: Locations,
  options: { example?: string; force?: boolean } = {},
): Promise<Scaffolded> {
  const scaffolded =
    options.example === undefined
      ? { written: [], removed: [], otherSpecs: [] }
      : scaffoldExample(options.example, locations.cwd, { force: options.force === true });
  const store = await openEventStore(locations, 'create');
  await store.close();
  return scaffolded;
}
