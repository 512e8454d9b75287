import { dropStoreAndReadModels, openEventStore, type Locations } from './open.js';

export interface ResetSummary {
  /** Events the store held before. */
  events: number;
  streams: number;
}

/**
 * Starts over, for a demo or a class: every event and every read model is deleted and an
 * empty store created in their place. Derived and source data alike go, so the CLI asks first.
 */
export async function resetStore(locations: Locations): Promise<ResetSummary> {
  const store = await openEventStore(locations, 'existing');
  let counts;
  try {
    counts = await store.counts();
  } finally {
    await store.close();
  }
  await dropStoreAndReadModels(locations);
  const fresh = await openEventStore(locations, 'create');
  await fresh.close();
  return { events: counts.events, streams: counts.streams };
}
