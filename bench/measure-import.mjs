// 1. A batched import of an export file: through the CLI, and in-process through beginImport,
// each beside raw prepared INSERTs of the same rows in one transaction. The CLI is also put
// beside a bare process doing the same job (read, parse, insert), which pays the start-up and
// JSON.parse that the in-memory baseline does not.
import { readFileSync } from 'node:fs';
import { beginImport, countStore, openStore } from '../dist/index.js';
import { runNode } from './child.mjs';
import { exportFile } from './fixtures.mjs';
import { CLI, RAW_IMPORT_CHILD, removeDatabase, scratchPath } from './paths.mjs';
import { createRawStore, rawInserter } from './raw-store.mjs';
import { median, perSecond, time } from './stats.mjs';

const TARGET = 0.5;

export const name = 'import';

export function run(config, log) {
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
    apiMs.push(apiImport(path, events));
    cliRuns.push(cliImport(path, file, count));
    rawChildRuns.push(rawChildImport(path, file, count));
  }
  removeDatabase(path);
  const cliMs = cliRuns.map((r) => r.ms);
  const rawChildMs = rawChildRuns.map((r) => r.ms);
  log(
    `import: raw ${fmt(rawMs)}, beginImport ${fmt(apiMs)}, ` +
      `CLI ${fmt(cliMs)} (cpu ${fmt(cliRuns.map((r) => r.cpuMs))}), ` +
      `raw process ${fmt(rawChildMs)} (cpu ${fmt(rawChildRuns.map((r) => r.cpuMs))}) ms`,
  );

  const raw = perSecond(count, median(rawMs));
  const target = (ours) => ({ text: `≥ ${TARGET * 100}% of raw`, met: ours / raw >= TARGET });
  const cli = perSecond(count, median(cliMs));
  const api = perSecond(count, median(apiMs));
  const rawChild = perSecond(count, median(rawChildMs));
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
      measure: `import ${count} events, CLI vs a bare read+parse+insert process`,
      unit: 'ev/s',
      ours: cli,
      raw: rawChild,
      note:
        'like for like: both pay node start-up, file reading and JSON.parse; CPU time ' +
        `${Math.round(median(cliRuns.map((r) => r.cpuMs)))} ms vs ` +
        `${Math.round(median(rawChildRuns.map((r) => r.cpuMs)))} ms`,
    },
    {
      measure: `import ${count} events, in-process beginImport`,
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

function apiImport(path, events) {
  removeDatabase(path);
  const db = openStore(path, { create: true });
  try {
    let imported = 0;
    const ms = time(() => {
      const session = beginImport(db);
      for (const event of events) session.add(event);
      imported = session.commit().imported;
    });
    if (imported !== events.length) throw new Error(`beginImport imported ${imported}`);
    return ms;
  } finally {
    db.close();
    removeDatabase(path);
  }
}

function cliImport(path, file, count) {
  removeDatabase(path);
  const run = runNode([CLI, '--db', path, '--quiet', 'import', file], { rss: true });
  checkImported(path, count, 'eventlite import');
  return run;
}

function rawChildImport(path, file, count) {
  removeDatabase(path);
  const run = runNode([RAW_IMPORT_CHILD, path, file], { rss: true });
  checkImported(path, count, 'the raw import process');
  return run;
}

function checkImported(path, count, what) {
  const db = openStore(path);
  try {
    const { events } = countStore(db);
    if (events !== count) throw new Error(`${what} stored ${events} of ${count} events`);
  } finally {
    db.close();
    removeDatabase(path);
  }
}

function fmt(values) {
  return values.map((value) => value.toFixed(0)).join('/');
}
