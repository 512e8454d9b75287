import { NotFoundError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { validateName } from '../core/input.js';
import { StreamDeletedError } from '../core/lifecycle.js';
import type { EventStore, ReadStreamOptions } from '../core/ports.js';
import { mayHoldSealed, sealedKeyIds, type SubjectKey } from '../core/sealing.js';
import type { AppContext } from './context.js';
import { readingFor, upcastEach, type UpcastOption } from './upcast.js';

/**
 * One stream's events, a page at a time (with `upcast`, as the domain reads them); a stream
 * that does not exist is NotFound, and so is a deleted one (saying how and when).
 */
export async function readStreamEvents(
  ctx: AppContext,
  stream: string,
  options: ReadStreamOptions & UpcastOption = {},
): Promise<AsyncIterable<RecordedEvent[]>> {
  validateName('stream', stream);
  // Loaded first: a module that does not load is the failure to report.
  const reading = await readingFor(ctx, options);
  await refuseDeletedStream(ctx.store, stream);
  if ((await ctx.store.streamVersion(stream)) === 0) {
    throw new NotFoundError(`stream "${stream}" does not exist`);
  }
  const pages = ctx.store.readStream(stream, options);
  return reading === undefined ? pages : upcastEach(pages, reading);
}

/** A deleted stream is not there for `read`, `state` and `exec`: NotFound, saying so. */
export async function refuseDeletedStream(store: EventStore, stream: string): Promise<void> {
  const deleted = await store.deletedStream(stream);
  if (deleted) throw new StreamDeletedError(stream, deleted);
}

/** What `export` writes: pages of events, and the ids of the keys their sealed fields need. */
export interface Export {
  pages: AsyncIterable<RecordedEvent[]>;
  /** Filled as `pages` is read. */
  keyIds: Set<string>;
}

/**
 * Events for `export` as stored, personal fields sealed (their keys travel apart: see
 * exportKeys): the whole log from a position, or one stream's events from it; with `upcast`,
 * in today's shapes, for a copy of the store that needs no upcaster (sealed fields are
 * upcast as they are stored: sealed). A hidden stream's events are still exported; one
 * deleted for good has none.
 */
export async function exportEvents(
  ctx: AppContext,
  options: { stream?: string; from?: number } & UpcastOption = {},
): Promise<Export> {
  const from = options.from ?? 1;
  const keyIds = new Set<string>();
  const { stream } = options;
  const reading = await readingFor(ctx, options);
  let stored: AsyncIterable<RecordedEvent[]>;
  if (stream === undefined) {
    stored = ctx.store.readLog({ from, sealed: true });
  } else {
    validateName('stream', stream);
    const deleted = await ctx.store.deletedStream(stream);
    if (deleted?.hard) throw new StreamDeletedError(stream, deleted);
    if ((await ctx.store.streamVersion(stream)) === 0) {
      throw new NotFoundError(`stream "${stream}" does not exist`);
    }
    stored = ctx.store.readStream(stream, { sealed: true });
  }
  const pages = reading === undefined ? stored : upcastEach(stored, reading);
  return {
    keyIds,
    pages: (async function* () {
      for await (const page of pages) {
        const kept = stream === undefined ? page : page.filter((event) => event.position >= from);
        for (const event of kept) {
          const json = (event as { dataJson?: string }).dataJson ?? JSON.stringify(event.data);
          if (mayHoldSealed(json)) sealedKeyIds(json, keyIds);
        }
        if (kept.length > 0) yield kept;
      }
    })(),
  };
}

/** The keys an export's sealed fields need (`export --keys`), as this store holds them. */
export function exportKeys(ctx: AppContext, keyIds: ReadonlySet<string>): Promise<SubjectKey[]> {
  return ctx.store.readKeys([...keyIds].sort());
}
