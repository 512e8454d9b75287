// The raw program for the writer rows of --backend postgres (backend-writers.mjs): a minimal
// one-statement append with `pg` and nothing else. node raw-pg-append-child.mjs URL PREFIX
// COUNT STREAMS connects, says "ready", waits for "go" on stdin, then appends COUNT one-event
// batches round robin over its own STREAMS streams (PREFIXaccount-a0, …), each one autocommitted
// statement that bumps the head row and inserts at the version it knows its stream is at
// (UNIQUE (stream, version) would refuse a wrong one), and prints {"events","ms"}.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { appendWork } from './measure-append.mjs';

const APPEND = `WITH head AS (UPDATE eventlite.head SET position = position + 1 RETURNING position)
  INSERT INTO eventlite.events (position, id, stream, version, type, data, metadata, recorded_at)
  SELECT head.position, $1, $2, $3, $4, $5, '{}', $6 FROM head`;

const [url, prefix, countText, streamsText] = process.argv.slice(2);
const work = appendWork(Number(countText), Number(streamsText), prefix);
const client = new pg.Client({ connectionString: url });
await client.connect();
const lines = createInterface({ input: process.stdin });
const go = new Promise((resolve) => lines.once('line', resolve));
process.stdout.write('ready\n');
await go;
lines.close();
const versions = new Map();
const started = performance.now();
for (const { stream, event } of work) {
  const version = (versions.get(stream) ?? 0) + 1;
  await client.query({
    name: 'append',
    text: APPEND,
    values: [
      randomUUID(),
      stream,
      version,
      event.type,
      JSON.stringify(event.data),
      new Date().toISOString(),
    ],
  });
  versions.set(stream, version);
}
const ms = performance.now() - started;
await client.end();
process.stdout.write(`${JSON.stringify({ events: work.length, ms })}\n`);
