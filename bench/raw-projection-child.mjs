// The baseline for the projections measure, run as its own process like the CLI:
// node raw-projection-child.mjs STORE READ_DB UNTIL. What hand-written better-sqlite3 does to
// keep the bank example's `account_summary` up to date: iterate the log in position order in
// one statement, JSON.parse each event's data, and run the same SQL as the projection's
// handlers (projection-sql.mjs, copied from fixtures/bank/eventlite.config.ts) into a fresh
// read database with the read database's pragmas, committing every BATCH_SIZE events together
// with a compare-and-set checkpoint update, as the runner does. Prints the checkpoint reached
// and a digest of the table, for the caller to compare with eventlite's.
import { openRaw } from './raw-store.mjs';
import { BALANCE_SQL, BANK_SETUP, OPENED_SQL, summaryChecksum } from './projection-sql.mjs';

/** The runner's default batch size (DEFAULT_BATCH_SIZE in src/projections/catch-up.ts). */
const BATCH_SIZE = 2000;

const [storePath, readPath, untilText] = process.argv.slice(2);
const until = Number(untilText);
const store = openRaw(storePath, { readonly: true, fileMustExist: true });
const read = openRaw(readPath);
read.exec(BANK_SETUP);
read.exec(`CREATE TABLE checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`);
read.prepare(`INSERT INTO checkpoint VALUES ('account_summary', 0)`).run();

const opened = read.prepare(OPENED_SQL);
const balance = read.prepare(BALANCE_SQL);
const moveCheckpoint = read.prepare(
  `UPDATE checkpoint SET position = :to WHERE name = 'account_summary' AND position = :from`,
);
const begin = read.prepare('BEGIN IMMEDIATE');
const commit = read.prepare('COMMIT');

const rows = store
  .prepare(
    'SELECT position, type, data, recorded_at FROM events WHERE position <= ? ORDER BY position',
  )
  .iterate(until);
let checkpoint = 0;
let inBatch = 0;
for (const row of rows) {
  if (inBatch === 0) begin.run();
  const data = JSON.parse(row.data);
  switch (row.type) {
    case 'AccountOpened':
      opened.run({ accountId: data.accountId, owner: data.owner, at: row.recorded_at });
      break;
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
      balance.run({ balance: data.balance, at: row.recorded_at, accountId: data.accountId });
      break;
  }
  inBatch += 1;
  if (inBatch === BATCH_SIZE) {
    endBatch(row.position);
  }
}
if (inBatch > 0) endBatch(until);
store.close();
const checksum = summaryChecksum(read);
read.close();
process.stdout.write(`${checkpoint} ${JSON.stringify(checksum)}\n`);

function endBatch(to) {
  const { changes } = moveCheckpoint.run({ from: checkpoint, to });
  if (changes !== 1) throw new Error(`checkpoint moved under the raw baseline at ${checkpoint}`);
  commit.run();
  checkpoint = to;
  inBatch = 0;
}
