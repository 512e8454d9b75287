// One of the concurrent appenders of the --backend postgres bench:
// node append-child.mjs STORE PREFIX COUNT STREAMS [expected]. Opens the store (a SQLite file
// or a postgres:// URL), says "ready", waits for "go" on stdin, then appends COUNT one-event
// batches with `await store.append(stream, [event])` round robin over its own STREAMS streams
// (PREFIXaccount-a0, …), with `expected`: each with the version it knows its stream is at as
// the expected version. Prints {"events","ms","busy"} as one JSON line: busy counts the
// appends that failed with StoreBusyError and were tried again.
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { openStore } from './backend-stores.mjs';
import { appendWork } from './measure-append.mjs';

const [location, prefix, countText, streamsText, expected] = process.argv.slice(2);
const work = appendWork(Number(countText), Number(streamsText), prefix);
const store = await openStore(location);
// One read first, so that the connection (PostgreSQL) or the file (SQLite) is open before "go".
await store.head();
const lines = createInterface({ input: process.stdin });
const go = new Promise((resolve) => lines.once('line', resolve));
process.stdout.write('ready\n');
await go;
lines.close();
const started = performance.now();
let busy = 0;
const versions = new Map();
for (const { stream, event } of work) {
  const options = expected ? { expectedVersion: versions.get(stream) ?? 0 } : {};
  // What an application does with StoreBusyError (the lock stayed taken past the busy or lock
  // timeout, 5 s; nothing was written): try again. The retries are counted and reported.
  for (;;) {
    try {
      versions.set(stream, (await store.append(stream, [event], options)).version);
      break;
    } catch (error) {
      if (error?.code !== 'STORE_BUSY') throw error;
      busy += 1;
    }
  }
}
const ms = performance.now() - started;
await store.close();
process.stdout.write(`${JSON.stringify({ events: work.length, ms, busy })}\n`);
