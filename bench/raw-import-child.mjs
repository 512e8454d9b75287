// The like-for-like baseline for `eventlite import FILE`: a bare process that does the same
// job with nothing else: node raw-import-child.mjs DB FILE creates the store, reads the file
// in large chunks, parses each line and inserts it, all in one transaction.
import { createReadStream } from 'node:fs';
import { createRawStore, rawInserter } from './raw-store.mjs';

const [path, file] = process.argv.slice(2);
const db = createRawStore(path);
const insert = rawInserter(db);
const insertLine = (line) => insert(JSON.parse(line));
db.exec('BEGIN IMMEDIATE');
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const line of lines) if (line !== '') insertLine(line);
}
if (rest !== '') insertLine(rest);
db.exec('COMMIT');
db.close();
