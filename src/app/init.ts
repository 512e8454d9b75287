import { scaffoldExample } from './examples.js';
import { openEventStore, type Locations } from './open.js';

/**
 * Creates the store (a no-op for one that exists) and, with an example, writes its domain
 * module, scenario and specs into `cwd` first: if they may not be written, nothing is created.
 * Returns the files written.
 */
export async function initStore(
  locations: Locations,
  options: { example?: string; force?: boolean } = {},
): Promise<string[]> {
  const written =
    options.example === undefined
      ? []
      : scaffoldExample(options.example, locations.cwd, { force: options.force === true });
  const store = await openEventStore(locations, 'create');
  await store.close();
  return written;
}
