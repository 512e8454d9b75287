// The baseline reader for the log measure, run as its own process like the CLI:
// node raw-log-reader.mjs DB LIMIT. Iterates the whole log in one statement, parses data and
// metadata and stringifies each event, and prints only a checksum so the work cannot be skipped.
import { openRaw } from './raw-store.mjs';

const [path, limitText] = process.argv.slice(2);
const db = openRaw(path, { readonly: true, fileMustExist: true });
const rows = db
  .prepare('SELECT * FROM events ORDER BY position LIMIT ?')
  .iterate(Number(limitText));
let events = 0;
let bytes = 0;
for (const row of rows) {
  const line = JSON.stringify({
    position: row.position,
    stream: row.stream,
    version: row.version,
    type: row.type,
    id: row.id,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  });
  bytes += line.length + 1;
  events += 1;
}
db.close();
process.stdout.write(`${events} ${bytes}\n`);
