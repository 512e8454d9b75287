import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../app/context.js';
import { readLogEvents } from '../app/log.js';
import { InputError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { eventJsonLine } from '../core/recorded-event.js';
import type { LiveLog } from './live.js';

// GET /events: server-sent events, one per event of the log, its position as the id and its
// JSON (the contract's event shape) as the data. A client that reconnects sends the last id it
// saw (Last-Event-ID) and goes on after it: nothing missed, nothing twice, because positions
// only go up, and every event past the last one sent is sent, once, in order.

/** A comment line now and then, so that nothing between closes a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** Where a stream starts: after Last-Event-ID when the client sends one, else after `?after=`, else at 1. */
export function startAfter(request: IncomingMessage, url: URL): number {
  const header = request.headers['last-event-id'];
  const given =
    typeof header === 'string' && header !== '' ? header : url.searchParams.get('after');
  if (given === null) return 0;
  if (!/^\d{1,15}$/.test(given)) {
    throw new InputError(`Last-Event-ID (or after=) must be a log position, got "${given}"`);
  }
  return Number(given);
}

export async function streamEvents(
  request: IncomingMessage,
  response: ServerResponse,
  live: LiveLog,
  ctx: AppContext,
  after: number,
): Promise<void> {
  const closed = new AbortController();
  let wake: (() => void) | undefined;
  response.on('close', () => {
    closed.abort();
    wake?.();
  });
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  // A client whose connection dropped tries again after a second.
  response.write('retry: 1000\n\n');
  let last = after;
  const queue: RecordedEvent[][] = [];
  // Listening before the backlog is read: a page committed meanwhile is queued, and whatever
  // the backlog already sent of it is skipped by position.
  const unsubscribe = live.subscribe((page) => {
    queue.push(page);
    wake?.();
  });
  const send = async (page: readonly RecordedEvent[]) => {
    let text = '';
    for (const event of page) {
      if (event.position <= last) continue;
      text += `id: ${event.position}\ndata: ${eventJsonLine(event)}\n\n`;
      last = event.position;
    }
    if (text !== '' && !response.write(text)) {
      await once(response, 'drain', { signal: closed.signal });
    }
  };
  const keepalive = setInterval(() => response.write(': keepalive\n\n'), KEEPALIVE_MS);
  try {
    for await (const page of readLogEvents(ctx, { from: after + 1 })) {
      if (closed.signal.aborted) return;
      await send(page);
    }
    while (!closed.signal.aborted) {
      while (queue.length > 0) await send(queue.shift()!);
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (queue.length > 0 || closed.signal.aborted) resolve();
      });
      wake = undefined;
    }
  } catch (error) {
    if (!closed.signal.aborted) throw error;
  } finally {
    clearInterval(keepalive);
    unsubscribe();
    response.end();
  }
}
