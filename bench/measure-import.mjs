// 1. A batched import of an export file: through the CLI, and in-process through the
// EventStore port's import session (store.beginImport, add in batches, commit), each beside
// raw prepared INSERTs of the same rows in one transaction. The CLI is also put
// beside a bare process doing the same job (read, parse, insert), which pays the start-up and
// JSON.parse that the in-memory baseline does not: the CLI's wall time may be at most 1.1× that
// process's (the two run in turn in each round; the row compares their medians).
import { readFileSync } from 'node:fs';
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';
import { runNode } from './child.mjs';
import { exportFile } from './fixtures.mjs';
import { CLI, RAW_IMPORT_CHILD, removeDatabase, scratchPath } from './paths.mjs';
import { createRawStore, rawInserter } from './raw-store.mjs';
import { median, perSecond, time, timeAsync } from './stats.mjs';

/**
 * Events per `add` in the in-process import. The CLI adds what one 64 KiB read chunk holds (a
 * few hundred lines); an await per batch, never per event, either way.
 */
const IMPORT_BATCH = 2_000;

const TARGET = 0.5;

/** The CLI run may take at most this many times the bare process's wall time (issue 11). */
const PROCESS_TARGET = 1.1;

export const name = 'import';

export async function run(config, log) {
  const count = config.importEvents;
  const file = exportFile(count, config.importStreams, log);
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  const path = scratchPath('import.db');

  const cliRuns = [];
  const rawChildRuns = [];
  const apiMs = [];
  const rawMs = [];
  for (let round = 0; round < config.repeats; round += 1) {
    rawMs.push(rawImport(path, events));
    apiMs.push(await apiImport(path, events));
    cliRuns.push(await cliImport(path, file, count));
    rawChildRuns.push(await rawChildImport(path, file, count));
  }
  removeDatabase(path);
  const cliMs = cliRuns.map((r) => r.ms);
  const rawChildMs = rawChildRuns.map((r) => r.ms);
  log(
    `import: raw ${fmt(rawMs)}, store.beginImport ${fmt(apiMs)}, ` +
      `CLI ${fmt(cliMs)} (cpu ${fmt(cliRuns.map((r) => r.cpuMs))}), ` +
      `raw process ${fmt(rawChildMs)} (cpu ${fmt(rawChildRuns.map((r) => r.cpuMs))}) ms`,
  );

  const raw = perSecond(count, median(rawMs));
  const target = (ours) => ({ text: `≥ ${TARGET * 100}% of raw`, met: ours / raw >= TARGET });
  const cli = perSecond(count, median(cliMs));
  const api = perSecond(count, median(apiMs));
  const cliTime = median(cliMs);
  const rawChildTime = median(rawChildMs);
  // Each round runs the CLI and then the bare process, so drift on the machine touches both.
  const rounds = cliMs.map((ms, round) => `${(ms / rawChildMs[round]).toFixed(2)}×`).join(' ');
  return [
    {
      measure: `import ${count} events, CLI \`eventlite import FILE\``,
      unit: 'ev/s',
      ours: cli,
      raw,
      target: target(cli),
      note: 'wall time of the whole process, start-up included',
    },
    {
      measure: `import ${count} events, CLI vs a bare read+parse+insert process (median of ${config.repeats})`,
      unit: 'ms',
      ours: cliTime,
      raw: rawChildTime,
      target: {
        text: `≤ ${PROCESS_TARGET}× raw process`,
        met: cliTime / rawChildTime <= PROCESS_TARGET,
      },
      note:
        'wall time; like for like: both pay node start-up, file reading and JSON.parse; ' +
        `per round ${rounds}; CPU time ` +
        `${Math.round(median(cliRuns.map((r) => r.cpuMs)))} ms vs ` +
        `${Math.round(median(rawChildRuns.map((r) => r.cpuMs)))} ms`,
    },
    {
      measure: `import ${count} events, in-process store.beginImport`,
      unit: 'ev/s',
      ours: api,
      raw,
      target: target(api),
    },
  ];
}

function rawImport(path, events) {
  const db = createRawStore(path);
  try {
    const insert = rawInserter(db);
    return time(() => {
      db.transaction(() => {
        for (const e of events) {
          insert(e);
        }
      })();
    });
  } finally {
    db.close();
    removeDatabase(path);
  }
}

async function apiImport(path, events) {
  removeDatabase(path);
  const store = openSqliteEventStore(path, { create: true });
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
    return ms;
  } finally {
    await store.close();
    removeDatabase(path);
  }
}

async function cliImport(path, file, count) {
  removeDatabase(path);
  const run = runNode([CLI, '--db', path, '--quiet', 'import', file], { rss: true });
  await checkImported(path, count, 'eventlite import');
  return run;
}

async function rawChildImport(path, file, count) {
  removeDatabase(path);
  const run = runNode([RAW_IMPORT_CHILD, path, file], { rss: true });
  await checkImported(path, count, 'the raw import process');
  return run;
}

async function checkImported(path, count, what) {
  const store = openSqliteEventStore(path);
  try {
    const { events } = await store.counts();
    if (events !== count) throw new Error(`${what} stored ${events} of ${count} events`);
  } finally {
    await store.close();
    removeDatabase(path);
  }
}

function fmt(values) {
  return values.map((value) => value.toFixed(0)).join('/');
}
