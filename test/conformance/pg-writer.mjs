// A writer process for postgres-event-store.test.ts: appends to shared streams with an expected
// version read just before, as `eventlite exec` does, and retries on a conflict. Imports the
// built adapter (npm run build). Prints one JSON summary line on stdout.
//
//   node pg-writer.mjs URL WRITER APPENDS STREAMS
import { ConcurrencyError } from '../../dist/core/errors.js';
import { openPostgresEventStore } from '../../dist/store/postgres/index.js';

const [url, writerText, appendsText, streamsText] = process.argv.slice(2);
const writer = Number(writerText);
const appends = Number(appendsText);
const streams = Number(streamsText);

const store = await openPostgresEventStore(url, { create: false });
let conflicts = 0;
let events = 0;
const otherErrors = [];
for (let seq = 0; seq < appends; seq += 1) {
  const stream = `shared-${(writer + seq) % streams}`;
  // Batches of one or two events, so that versions and positions move by varying steps.
  const batch = Array.from({ length: 1 + (seq % 2) }, (_, part) => ({
    type: 'Written',
    data: { writer, seq, part },
  }));
  for (;;) {
    const version = await store.streamVersion(stream);
    // Widen the window between reading the version and appending: conflicts must happen.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
    try {
      await store.append(stream, batch, { expectedVersion: version });
      events += batch.length;
      break;
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        conflicts += 1;
        continue;
      }
      otherErrors.push(`${error?.constructor?.name}: ${error?.message}`);
      break;
    }
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ writer, events, conflicts, otherErrors })}\n`);
