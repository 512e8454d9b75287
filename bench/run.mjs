// npm run bench: builds, then runs each measure and prints ours beside a raw better-sqlite3
// baseline. A measure is a module exporting `name` and `run(config, log)` that returns rows
// ({ measure, unit, ours, raw, target?, note? }); add one by adding it to MEASURES.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { FULL_LOG_EVENTS, readConfig } from './config.mjs';
import { seconds } from './fixtures.mjs';
import * as append from './measure-append.mjs';
import * as appendFile from './measure-append-file.mjs';
import * as commands from './measure-commands.mjs';
import * as execInProcess from './measure-exec-inprocess.mjs';
import * as follow from './measure-follow.mjs';
import * as importMeasure from './measure-import.mjs';
import * as logMeasure from './measure-log.mjs';
import * as projections from './measure-projections.mjs';
import * as startup from './measure-startup.mjs';
import * as table from './measure-table.mjs';
import * as upcast from './measure-upcast.mjs';
import { printReport } from './report.mjs';
import { MEASURES as POSTGRES_MEASURES, runPostgres } from './run-postgres.mjs';

const SQLITE_MEASURES = [
  importMeasure,
  append,
  appendFile,
  commands,
  execInProcess,
  logMeasure,
  startup,
  table,
  projections,
  upcast,
  follow,
];

const config = readConfig();
const MEASURES = config.backend === 'postgres' ? POSTGRES_MEASURES : SQLITE_MEASURES;
const unknown = (config.only ?? []).filter((name) => !MEASURES.some((m) => m.name === name));
if (unknown.length > 0) {
  throw new Error(
    `BENCH_ONLY names no measure: ${unknown.join(', ')} (known: ${MEASURES.map((m) => m.name).join(', ')})`,
  );
}
const loadBefore = os.loadavg()[0];
const log = (text) => console.error(`[bench] ${text}`);
const started = performance.now();
const cpus = os.cpus();
const machine = `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}`;
const scaledDown =
  config.logEvents < FULL_LOG_EVENTS
    ? '\nscaled-down run: start-up and cache warm-up weigh more, so the targets (set for the full' +
      ' size) may be missed here'
    : '';
const rows = [];
if (config.backend === 'postgres') {
  const run = await runPostgres(config, log);
  rows.push(...run.rows);
  const title =
    `eventlite bench --backend postgres: ${machine}, PostgreSQL ${run.version} ` +
    `(${run.settings.join(', ')}), SQLite WAL synchronous=FULL; load average ` +
    `${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`;
  const footer = `total ${seconds(started)}; load average after each measure: ${run.loads.join(', ')}${scaledDown}`;
  const backends = rows.filter((row) => !row.againstRaw);
  const againstRaw = rows.filter((row) => row.againstRaw);
  if (backends.length > 0) {
    printReport(backends, {
      title,
      columns: ['PostgreSQL', 'SQLite', 'PG/SQLite'],
      ratioNote: 'PG/SQLite = PostgreSQL / SQLite, both through eventlite',
      footer: againstRaw.length > 0 ? undefined : footer,
    });
  }
  if (againstRaw.length > 0) {
    printReport(againstRaw, {
      title: `${backends.length > 0 ? 'PostgreSQL against raw programs' : title}, in the same run`,
      ratioNote: 'ratio = eventlite / the raw program on the same PostgreSQL',
      footer,
    });
  }
} else {
  for (const measure of MEASURES) {
    if (config.only && !config.only.includes(measure.name)) continue;
    const measureStarted = performance.now();
    rows.push(...(await measure.run(config, log)));
    log(`${measure.name} done in ${seconds(measureStarted)}`);
  }
  printReport(rows, {
    title: `eventlite bench: ${machine}, load average ${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`,
    footer: `total ${seconds(started)}${scaledDown}`,
  });
}
// A missed target fails the run only when asked: timings on a shared machine are noisy.
if (process.env.BENCH_STRICT && rows.some((row) => row.target && !row.target.met)) {
  process.exitCode = 1;
}
