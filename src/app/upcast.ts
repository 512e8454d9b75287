import { eventReadingOf, type EventReading } from '../core/event-reading.js';
import type { RecordedEvent } from '../core/events.js';
import { domainOf, type AppContext } from './context.js';

// `log --upcast`, `read --upcast`, `export --upcast`: the events as the domain reads them
// (renamed and upcast), not as stored. The domain module is loaded for it; a domain that
// reads its events as stored changes nothing.

export interface UpcastOption {
  /** Events as the domain reads them today, not as stored. */
  upcast?: boolean;
}

/** How the context's domain reads stored events, when asked to and there is anything to do. */
export async function readingFor(
  ctx: AppContext,
  options: UpcastOption,
): Promise<EventReading | undefined> {
  return options.upcast ? eventReadingOf(await domainOf(ctx)) : undefined;
}

/** Pages of events as `reading` reads them; other items (a marker) pass through. */
export async function* upcastEach<Item>(
  pages: AsyncIterable<RecordedEvent[] | Item>,
  reading: EventReading,
): AsyncGenerator<RecordedEvent[] | Item> {
  for await (const page of pages) {
    yield Array.isArray(page) ? page.map((event) => reading.upcast(event)) : page;
  }
}
