// The baseline follower for the follow measure: node raw-follower.mjs DB FROM. Plain
// better-sqlite3 polling PRAGMA data_version every POLL_MS and printing each new event as a
// JSON line, as a hand-written tailer would: no process per batch, no checkpoint written.
import { openRaw } from './raw-store.mjs';

const POLL_MS = 10;
const [path, fromText] = process.argv.slice(2);
const db = openRaw(path, { readonly: true, fileMustExist: true });
const page = db.prepare('SELECT * FROM events WHERE position >= ? ORDER BY position');
let next = Number(fromText);
let seen;
setInterval(() => {
  const version = db.pragma('data_version', { simple: true });
  if (version === seen) return;
  seen = version;
  for (const row of page.all(next)) {
    process.stdout.write(
      `${JSON.stringify({ position: row.position, stream: row.stream, type: row.type })}\n`,
    );
    next = row.position + 1;
  }
}, POLL_MS);
process.on('SIGTERM', () => process.exit(0));
