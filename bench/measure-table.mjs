// 9. `eventlite query … --format table` beside the same query as `--format ndjson`, both whole
// processes over the same read table, in alternating rounds of the same run. A table used to
// gather every row and lay them out at a cost that grew faster than the rows (10k rows: 11 s
// and 179 MB; 100k: killed after 13 minutes); it is now laid out as the rows stream, and must
// cost about what NDJSON costs. Markdown, laid out the same way, is timed beside them.
import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runNode } from './child.mjs';
import { bankEvents, DATA_VERSION } from './events.mjs';
import { CLI, removeDatabase, scratchPath } from './paths.mjs';
import { median } from './stats.mjs';

/** The target: the table within this many times the NDJSON time. */
const TARGET = 2;
const STREAMS = 1_000;
const QUERY = 'SELECT * FROM ledger ORDER BY position';

export const name = 'table';

export async function run(config, log) {
  const rows = config.tableRows;
  const readDb = ledger(rows, log);
  const times = { ndjson: [], table: [], markdown: [] };
  const rss = { ndjson: [], table: [], markdown: [] };
  const cpu = { ndjson: [], table: [], markdown: [] };
  for (let round = 0; round < Math.min(config.repeats, 3); round += 1) {
    for (const format of ['ndjson', 'table', 'markdown']) {
      const result = runNode(queryArgs(readDb, format), { rss: true });
      times[format].push(result.ms);
      rss[format].push(result.rssKb / 1024);
      cpu[format].push(result.cpuMs);
    }
  }
  checkTable(readDb, rows);
  const ms = (format) => median(times[format]);
  const ratio = ms('table') / ms('ndjson');
  const list = (values) => values.map((value) => Math.round(value)).join('/');
  log(`table: ndjson ${list(times.ndjson)}, table ${list(times.table)} ms`);
  return [
    {
      measure: `query ${rows / 1000}k rows, \`--format table\` vs \`--format ndjson\``,
      unit: 's',
      ours: ms('table') / 1000,
      raw: ms('ndjson') / 1000,
      target: { text: `≤ ${TARGET}x ndjson (now ${ratio.toFixed(2)}x)`, met: ratio <= TARGET },
      note:
        'wall time of the whole process, output to /dev/null, median of the rounds; CPU ' +
        `table ${Math.round(median(cpu.table))} ms, ndjson ${Math.round(median(cpu.ndjson))} ms; peak RSS ` +
        `table ${Math.round(median(rss.table))} MiB, ndjson ${Math.round(median(rss.ndjson))} MiB; ` +
        `--format markdown ${(ms('markdown') / 1000).toFixed(2)} s ` +
        `(${(ms('markdown') / ms('ndjson')).toFixed(2)}x ndjson)`,
    },
  ];
}

function queryArgs(readDb, format) {
  return [CLI, '--read-db', readDb, 'query', QUERY, '--format', format];
}

/** The table printed in full: a header, then one line per row, widened where it must. */
function checkTable(readDb, rows) {
  const { stdout } = runNode(queryArgs(readDb, 'table'), { captureStdout: true });
  const lines = stdout.split('\n').filter((line) => line.startsWith('│'));
  if (lines.length !== rows + 1 || !lines[0].startsWith('│ position │ account_id')) {
    throw new Error(`--format table printed ${lines.length - 1} of ${rows} rows`);
  }
}

/**
 * A read database with one table of `rows` rows, a ledger of the bank events as a projection
 * would keep it (a NULL amount on each account's opening), cached in .bench/.
 */
function ledger(rows, log) {
  const path = scratchPath(`table-${DATA_VERSION}-${rows}.read.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building`;
  removeDatabase(building);
  const db = new Database(building);
  db.exec(`CREATE TABLE ledger (
    position INTEGER PRIMARY KEY, account_id TEXT NOT NULL, owner TEXT, type TEXT NOT NULL,
    amount INTEGER, balance INTEGER NOT NULL, recorded_at TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)');
  const owners = new Map();
  db.transaction(() => {
    for (const event of bankEvents(rows, STREAMS)) {
      const { accountId, owner, amount, balance } = event.data;
      if (owner !== undefined) owners.set(accountId, owner);
      insert.run(
        event.position,
        accountId,
        owners.get(accountId),
        event.type,
        amount ?? null,
        balance ?? 0,
        event.recordedAt,
      );
    }
  })();
  db.close();
  renameSync(building, path);
  log(`built a ${rows}-row read table at ${path}`);
  return path;
}
