// The raw program for `eventlite --db URL import FILE`: a bare process that does a plain
// one-transaction import of the same file into the same (empty, already created) store with
// `pg` and nothing else: node raw-pg-import-child.mjs URL FILE locks the head row, reads the
// file in large chunks, parses each line, numbers the versions in memory, inserts 5000 rows a
// statement with unnest, moves the head and commits. It trusts its input (no id checks).
import { createReadStream } from 'node:fs';
import pg from 'pg';

const INSERT = `INSERT INTO eventlite.events
  (position, id, stream, version, type, data, metadata, recorded_at)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[],
                       $6::text[], $7::text[], $8::text[])`;
const CHUNK = 5000;

const [url, file] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query('BEGIN');
const { rows } = await client.query('SELECT position FROM eventlite.head FOR UPDATE');
let head = Number(rows[0].position);
const versions = new Map();
let columns = emptyColumns();

function emptyColumns() {
  return [[], [], [], [], [], [], [], []];
}

async function flush() {
  if (columns[0].length === 0) return;
  await client.query({ name: 'insert', text: INSERT, values: columns });
  columns = emptyColumns();
}

async function insertLine(line) {
  const event = JSON.parse(line);
  const version = (versions.get(event.stream) ?? 0) + 1;
  versions.set(event.stream, version);
  head += 1;
  const row = [
    head,
    event.id,
    event.stream,
    version,
    event.type,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
    event.recordedAt,
  ];
  for (let column = 0; column < row.length; column += 1) columns[column].push(row[column]);
  if (columns[0].length === CHUNK) await flush();
}

let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const line of lines) if (line !== '') await insertLine(line);
}
if (rest !== '') await insertLine(rest);
await flush();
await client.query('UPDATE eventlite.head SET position = $1', [head]);
await client.query('COMMIT');
await client.end();
