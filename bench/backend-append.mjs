// --backend postgres, 2: one-event appends through the port, `await store.append(stream,
// [event])`, each its own transaction, on SQLite and on PostgreSQL: from one process (in this
// one, alternating rounds), and from APPEND_PROCESSES child processes at once, each appending
// to its own streams (append-child.mjs). PostgreSQL runs twice: durable (fsync and
// synchronous_commit on, the cluster's setting) and, labelled, in a database whose sessions
// default to synchronous_commit=off (a commit returns before its WAL is flushed; a crash may
// lose the last few hundred milliseconds of commits, never consistency).
import { join } from 'node:path';
import { APPEND_PROCESSES } from './config.mjs';
import { checkStore, createStore, openStore, versionsAfter } from './backend-stores.mjs';
import { appendWork } from './measure-append.mjs';
import { removeDatabase, ROOT, scratchPath } from './paths.mjs';
import { raceAppenders } from './racers.mjs';
import { median, perSecond, timeAsync } from './stats.mjs';

const ROUNDS = 10;
const APPEND_CHILD = join(ROOT, 'bench', 'append-child.mjs');

export const name = 'append';

export async function run(config, log, { cluster }) {
  const targets = async (suffix) => {
    const sqlite = scratchPath(`backend-append${suffix}.db`);
    removeDatabase(sqlite);
    return {
      sqlite,
      pg: await cluster.freshDatabase(`bench_append${suffix}`),
      pgAsync: await cluster.freshDatabase(`bench_append${suffix}_async`, {
        synchronous_commit: 'off',
      }),
    };
  };
  const single = await oneProcess(config, log, await targets(''));
  const concurrent = await manyProcesses(config, log, await targets('_concurrent'));
  for (const suffix of ['', '_concurrent']) {
    removeDatabase(scratchPath(`backend-append${suffix}.db`));
    await cluster.dropDatabase(`bench_append${suffix}`);
    await cluster.dropDatabase(`bench_append${suffix}_async`);
  }
  return [...single, ...concurrent];
}

async function oneProcess(config, log, locations) {
  const rounds = Math.max(config.repeats, ROUNDS);
  const perRound = Math.max(1, Math.round(config.appends / rounds));
  const work = appendWork(perRound * rounds, config.appendStreams);
  const rates = { sqlite: [], pg: [], pgAsync: [] };
  const stores = {};
  for (const [key, location] of Object.entries(locations)) {
    stores[key] = await openStore(location, { create: true });
  }
  try {
    // The rounds alternate, so fsync jitter and other load fall on all three alike.
    for (let round = 0; round < rounds; round += 1) {
      const slice = work.slice(round * perRound, (round + 1) * perRound);
      for (const key of Object.keys(rates)) {
        const store = stores[key];
        const ms = await timeAsync(async () => {
          for (const { stream, event } of slice) await store.append(stream, [event]);
        });
        rates[key].push(perSecond(slice.length, ms));
      }
    }
  } finally {
    for (const store of Object.values(stores)) await store.close();
  }
  const versions = versionsAfter(work);
  for (const [key, location] of Object.entries(locations)) {
    await checkStore(location, { events: work.length, versions, verify: true }, `append ${key}`);
  }
  const fmt = (list) => list.map(Math.round).join('/');
  log(`append, 1 process: SQLite ${fmt(rates.sqlite)} ev/s per round`);
  log(`append, 1 process: PostgreSQL ${fmt(rates.pg)} ev/s per round`);
  log(`append, 1 process: PostgreSQL, synchronous_commit=off ${fmt(rates.pgAsync)} ev/s per round`);
  const measure = `append 1 event x ${work.length} (${config.appendStreams} streams), 1 process`;
  const note = `median of ${rounds} alternating rounds, SQLite ${fmt(rates.sqlite)} ev/s`;
  return [
    {
      measure,
      unit: 'ev/s',
      ours: median(rates.pg),
      raw: median(rates.sqlite),
      note: `${note}, PostgreSQL ${fmt(rates.pg)}; one WAL flush per commit on both`,
    },
    {
      measure: `${measure}, PostgreSQL synchronous_commit=off`,
      unit: 'ev/s',
      ours: median(rates.pgAsync),
      raw: median(rates.sqlite),
      note: `PostgreSQL ${fmt(rates.pgAsync)} (not durable: commits return before the flush) vs SQLite durable`,
    },
  ];
}

async function manyProcesses(config, log, locations) {
  const perProcess = config.appendsPerProcess;
  const streams = Math.max(1, Math.round(config.appendStreams / APPEND_PROCESSES));
  const results = {};
  for (const [key, location] of Object.entries(locations)) {
    await createStore(location);
    results[key] = await raceAppenders(APPEND_CHILD, APPEND_PROCESSES, (index) => [
      location,
      `p${index}-`,
      String(perProcess),
      String(streams),
    ]);
    const versions = new Map();
    for (let child = 0; child < APPEND_PROCESSES; child += 1) {
      for (const [stream, version] of versionsAfter(
        appendWork(perProcess, streams, `p${child}-`),
      )) {
        versions.set(stream, version);
      }
    }
    const events = perProcess * APPEND_PROCESSES;
    await checkStore(location, { events, versions, verify: true }, `concurrent append ${key}`);
    log(
      `append, ${APPEND_PROCESSES} processes, ${key}: ${Math.round(results[key].total)} ev/s in all, ` +
        `per process ${results[key].each.map(Math.round).join('/')} ev/s, ` +
        `${results[key].busy} StoreBusyError retried`,
    );
  }
  const total = perProcess * APPEND_PROCESSES;
  const measure = `append 1 event, ${APPEND_PROCESSES} processes x ${perProcess} (${streams} streams each), in all`;
  const each = (key) => results[key].each.map(Math.round).join('/');
  return [
    {
      measure,
      unit: 'ev/s',
      ours: results.pg.total,
      raw: results.sqlite.total,
      note:
        `${total} events from go to the last one committed, one run; each process's ev/s: ` +
        `PostgreSQL ${each('pg')}, SQLite ${each('sqlite')}; appends that waited out the 5 s ` +
        `timeout (StoreBusyError) and were retried: PostgreSQL ${results.pg.busy}, ` +
        `SQLite ${results.sqlite.busy}`,
    },
    {
      measure: `${measure}, PostgreSQL synchronous_commit=off`,
      unit: 'ev/s',
      ours: results.pgAsync.total,
      raw: results.sqlite.total,
      note: `not durable; each process's ev/s: ${each('pgAsync')}; ${results.pgAsync.busy} retried`,
    },
  ];
}
