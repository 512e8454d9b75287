// --backend postgres, 1: a batched import of the whole bench log (1M events at full size) into
// an empty store, on SQLite and on PostgreSQL: `eventlite import FILE` as a whole process, and
// in-process through the port (store.beginImport, then add in batches of 2000, then commit).
// The CLI's stores are kept (checked with verify) as the log the read and projection measures
// use, so both backends read exactly what their own import wrote.
import { readFileSync } from 'node:fs';
import { checkStore, createStore, openStore } from './backend-stores.mjs';
import { runNode } from './child.mjs';
import { exportFile } from './fixtures.mjs';
import { CLI, removeDatabase, scratchPath } from './paths.mjs';
import { median, perSecond, timeAsync } from './stats.mjs';

/** The target for PostgreSQL: events per second, whole process and in-process alike. */
export const PG_IMPORT_TARGET = 20_000;
const IMPORT_BATCH = 2_000;
export const LOG_STREAMS = 1_000;
/** The database the PostgreSQL CLI import fills, and the read and projection measures read. */
const PG_LOG_DATABASE = 'bench_log';

export const name = 'import';

export async function run(config, log, { cluster, stores }) {
  const count = config.logEvents;
  const file = exportFile(count, LOG_STREAMS, log);
  const sqliteLog = scratchPath('backend-log.db');
  const sqliteApi = scratchPath('backend-import-api.db');
  const runs = { sqliteCli: [], pgCli: [], sqliteApi: [], pgApi: [] };

  for (let round = 0; round < config.backendRounds; round += 1) {
    runs.sqliteCli.push(await cliImport(sqliteLog, file, count));
    log(`import: SQLite CLI ${describe(runs.sqliteCli.at(-1))}`);
    const pgLog = await cluster.freshDatabase(PG_LOG_DATABASE);
    runs.pgCli.push(await cliImport(pgLog, file, count));
    log(`import: PostgreSQL CLI ${describe(runs.pgCli.at(-1))}`);
  }
  // Parsed once, outside the timing, as the SQLite bench's in-process import does.
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  for (let round = 0; round < config.backendRounds; round += 1) {
    removeDatabase(sqliteApi);
    runs.sqliteApi.push(await apiImport(sqliteApi, events));
    removeDatabase(sqliteApi);
    const pgApi = await cluster.freshDatabase('bench_import_api');
    runs.pgApi.push(await apiImport(pgApi, events));
    await cluster.dropDatabase('bench_import_api');
    log(
      `import: in-process SQLite ${fmt(runs.sqliteApi.at(-1))}, PostgreSQL ${fmt(runs.pgApi.at(-1))} ms`,
    );
  }

  // What the later measures read: each CLI import's store, checked through and through.
  const pgLog = cluster.url(PG_LOG_DATABASE);
  await checkStore(sqliteLog, { events: count, verify: true }, 'SQLite log store');
  await checkStore(pgLog, { events: count, verify: true }, 'PostgreSQL log store');
  stores.log = { sqlite: sqliteLog, postgres: pgLog, events: count };

  const rate = (list) => perSecond(count, median(list.map((r) => r.ms ?? r)));
  const target = (ours) => ({
    text: `≥ ${PG_IMPORT_TARGET.toLocaleString('en-US')} ev/s`,
    met: ours >= PG_IMPORT_TARGET,
  });
  const cpu = (list) => Math.round(median(list.map((r) => r.cpuMs)));
  const pgCli = rate(runs.pgCli);
  const pgApi = rate(runs.pgApi);
  const of = rounds(config.backendRounds);
  return [
    {
      measure: `import ${count} events, CLI \`eventlite import FILE\``,
      unit: 'ev/s',
      ours: pgCli,
      raw: rate(runs.sqliteCli),
      target: target(pgCli),
      note:
        `wall time of the whole process into an empty store${of}: start-up, reading and ` +
        `parsing the file included; client CPU time ${cpu(runs.pgCli)} ms (PostgreSQL, the ` +
        `server's own not counted) vs ${cpu(runs.sqliteCli)} ms (SQLite)`,
    },
    {
      measure: `import ${count} events, in-process store.beginImport + add(${IMPORT_BATCH})`,
      unit: 'ev/s',
      ours: pgApi,
      raw: rate(runs.sqliteApi),
      target: target(pgApi),
      note: `events parsed beforehand; begin to commit${of}`,
    },
  ];
}

async function cliImport(location, file, count) {
  removeDatabase(location); // SQLite; PostgreSQL's database was made fresh and empty.
  const result = runNode([CLI, '--db', location, '--quiet', 'import', file], { rss: true });
  await checkStore(location, { events: count }, `eventlite import into ${location}`);
  return result;
}

async function apiImport(location, events) {
  await createStore(location);
  const store = await openStore(location);
  try {
    let imported = 0;
    const ms = await timeAsync(async () => {
      const session = await store.beginImport();
      for (let start = 0; start < events.length; start += IMPORT_BATCH) {
        await session.add(events.slice(start, start + IMPORT_BATCH));
      }
      imported = (await session.commit()).imported;
    });
    if (imported !== events.length) throw new Error(`the import session imported ${imported}`);
    await checkStore(location, { events: events.length }, `the import session into ${location}`);
    return ms;
  } finally {
    await store.close();
  }
}

/** The stores the read and projection measures need, when the import measure did not run. */
export async function logStores(config, log, { cluster, stores }) {
  if (stores.log) return stores.log;
  const count = config.logEvents;
  const file = exportFile(count, LOG_STREAMS, log);
  const sqliteLog = scratchPath('backend-log.db');
  await cliImport(sqliteLog, file, count);
  const pgLog = await cluster.freshDatabase(PG_LOG_DATABASE);
  await cliImport(pgLog, file, count);
  log(`imported ${count} events into both log stores (untimed: BENCH_ONLY left out import)`);
  stores.log = { sqlite: sqliteLog, postgres: pgLog, events: count };
  return stores.log;
}

export function rounds(count) {
  return count === 1 ? ', one run' : `, median of ${count} runs`;
}

function describe(run) {
  return `${Math.round(run.ms)} ms (cpu ${Math.round(run.cpuMs)} ms)`;
}

function fmt(ms) {
  return Math.round(ms);
}
