// --backend postgres, 4: projection catch-up, `eventlite … projections run` of the bank
// example's `account_summary` from checkpoint 0 to the head of the log each backend's import
// wrote, a whole process (start-up and loading the TypeScript domain module included). SQLite
// writes a fresh read database beside the store; PostgreSQL writes a fresh `eventlite_read`
// schema in the store's database. Each run must leave the checkpoint at the head and a table
// whose digest is the one computed from the generated events themselves.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { logStores, rounds } from './backend-import.mjs';
import { runNode } from './child.mjs';
import { bankEvents } from './events.mjs';
import { CLI, removeDatabase, scratchPath } from './paths.mjs';
import { BANK_CONFIG, checkBankSql, summaryChecksum } from './projection-sql.mjs';
import { median, perSecond } from './stats.mjs';
import { LOG_STREAMS } from './backend-import.mjs';

const PROJECTION = 'account_summary';
const READ_SCHEMA = 'eventlite_read';

export const name = 'projections';

export async function run(config, log, context) {
  checkBankSql();
  const stores = await logStores(config, log, context);
  const { cluster } = context;
  const expected = expectedSummary(stores.events, LOG_STREAMS);
  const sqliteRead = scratchPath('backend-projections.read.db');
  const runs = { sqlite: [], postgres: [] };
  for (let round = 0; round < config.backendRounds; round += 1) {
    removeDatabase(sqliteRead);
    const sqlite = runNode(catchUpArgs(stores.sqlite, ['--read-db', sqliteRead]), { rss: true });
    expectSame(readBackSqlite(sqliteRead, stores.events), expected, 'SQLite catch-up');
    runs.sqlite.push(sqlite);

    await cluster.admin(
      (client) => client.query(`DROP SCHEMA IF EXISTS ${READ_SCHEMA} CASCADE`),
      databaseOf(stores.postgres),
    );
    const postgres = runNode(catchUpArgs(stores.postgres, []), { rss: true });
    const built = await cluster.admin(
      (client) => readBackPostgres(client, stores.events),
      databaseOf(stores.postgres),
    );
    expectSame(built, expected, 'PostgreSQL catch-up');
    runs.postgres.push(postgres);
    log(
      `projections: catch-up SQLite ${Math.round(sqlite.ms)} ms (cpu ${Math.round(sqlite.cpuMs)}), ` +
        `PostgreSQL ${Math.round(postgres.ms)} ms (cpu ${Math.round(postgres.cpuMs)})`,
    );
  }
  removeDatabase(sqliteRead);
  const rate = (list) => perSecond(stores.events, median(list.map((r) => r.ms)));
  const cpu = (list) => Math.round(median(list.map((r) => r.cpuMs)));
  return [
    {
      measure: `projection catch-up ${stores.events} events, \`eventlite projections run\``,
      unit: 'ev/s',
      ours: rate(runs.postgres),
      raw: rate(runs.sqlite),
      note:
        `bank ${PROJECTION} from checkpoint 0, wall time of the whole process` +
        `${rounds(config.backendRounds)}; PostgreSQL: schema ${READ_SCHEMA} of the store's ` +
        `database, one statement (a round trip) per event, a transaction per 2000; client CPU ` +
        `time ${cpu(runs.postgres)} ms vs ${cpu(runs.sqlite)} ms; both tables as expected ` +
        `(${expected.accounts} accounts, sha256 ${expected.sha256})`,
    },
  ];
}

function catchUpArgs(store, readArgs) {
  return [CLI, '--db', store, ...readArgs, '--domain', BANK_CONFIG, 'projections', 'run'];
}

function databaseOf(url) {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/**
 * The account_summary the bank projection must build from bankEvents(count, streams), digested
 * as summaryChecksum digests a table: rows [account_id, owner, balance, last_updated] in
 * account_id order.
 */
export function expectedSummary(count, streams) {
  const accounts = new Map();
  for (const event of bankEvents(count, streams)) {
    const { accountId } = event.data;
    if (event.type === 'AccountOpened') {
      accounts.set(accountId, [accountId, event.data.owner, 0, event.recordedAt]);
    } else {
      const row = accounts.get(accountId);
      row[2] = event.data.balance;
      row[3] = event.recordedAt;
    }
  }
  return digest([...accounts.keys()].sort().map((id) => accounts.get(id)));
}

function digest(rows) {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(row));
  return { accounts: rows.length, sha256: hash.digest('hex').slice(0, 16) };
}

function readBackSqlite(path, head) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT checkpoint, status FROM eventlite_projections WHERE name = ?')
      .get(PROJECTION);
    checkCheckpoint(row, head, path);
    return summaryChecksum(db);
  } finally {
    db.close();
  }
}

async function readBackPostgres(client, head) {
  const { rows } = await client.query(
    `SELECT checkpoint, status FROM ${READ_SCHEMA}.eventlite_projections WHERE name = $1`,
    [PROJECTION],
  );
  checkCheckpoint(
    rows[0] && { ...rows[0], checkpoint: Number(rows[0].checkpoint) },
    head,
    READ_SCHEMA,
  );
  const table = await client.query({
    text: `SELECT account_id, owner, balance, last_updated FROM ${READ_SCHEMA}.${PROJECTION}
           ORDER BY account_id COLLATE "C"`,
    rowMode: 'array',
  });
  return digest(table.rows);
}

function checkCheckpoint(row, head, where) {
  if (row?.checkpoint !== head || row.status !== 'ok') {
    throw new Error(`${PROJECTION} in ${where}: ${JSON.stringify(row)}, expected ${head}`);
  }
}

function expectSame(built, expected, what) {
  if (JSON.stringify(built) !== JSON.stringify(expected)) {
    throw new Error(`${what} built ${JSON.stringify(built)}, expected ${JSON.stringify(expected)}`);
  }
}
