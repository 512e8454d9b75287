// npm run bench -- --backend postgres (or BENCH_BACKEND=postgres): the same jobs on PostgreSQL
// and on SQLite, both through eventlite, in one run on one machine. Starts a throw-away durable
// PostgreSQL cluster, runs each measure, and stops and removes the cluster at the end, on
// failure and on Ctrl-C too. Rows: { measure, unit, ours: PostgreSQL, raw: SQLite, ... }, except
// those of the measures against a raw program (writers, import-scaling): { …, raw: the raw
// program on PostgreSQL, againstRaw: true }.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as append from './backend-append.mjs';
import * as follow from './backend-follow.mjs';
import * as importMeasure from './backend-import.mjs';
import * as importScaling from './backend-import-scaling.mjs';
import * as logMeasure from './backend-log.mjs';
import * as projections from './backend-projections.mjs';
import * as writers from './backend-writers.mjs';
import { seconds } from './fixtures.mjs';
import { withBenchCluster } from './postgres.mjs';

export const MEASURES = [
  importMeasure,
  append,
  logMeasure,
  projections,
  writers,
  importScaling,
  follow,
];
const AGAINST_RAW = new Set([writers.name, importScaling.name]);

/** Runs the measures; returns their rows, the server's version and the load after each. */
export async function runPostgres(config, log) {
  return withBenchCluster(log, async (cluster) => {
    const version = await cluster.admin(async (client) => {
      const { rows } = await client.query('SHOW server_version');
      return rows[0].server_version;
    });
    const context = { cluster, stores: {} };
    const rows = [];
    const loads = [];
    for (const measure of MEASURES) {
      if (config.only && !config.only.includes(measure.name)) continue;
      const started = performance.now();
      const measured = await measure.run(config, log, context);
      const againstRaw = AGAINST_RAW.has(measure.name);
      rows.push(...measured.map((row) => ({ ...row, againstRaw })));
      const load = os.loadavg()[0].toFixed(2);
      loads.push(`${measure.name} ${load}`);
      log(`${measure.name} done in ${seconds(started)}, load average ${load}`);
    }
    return { rows, version, settings: cluster.settings, loads };
  });
}
