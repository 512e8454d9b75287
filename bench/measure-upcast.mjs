// Upcasting's cost (issue 20): a fold and a projection catch-up that read every event through
// one upcast step, beside the same work on the same store without upcasters, measured in the
// same run. The upcasting domain is the bank example with every type declared at version 2
// and `upcast: { 1: (data) => ({ currency: 'EUR', ...data }) }`; the stored events are all at
// version 1, so each one is upcast. The target: at most 1.15x the time without upcasters.
//
// Why `{ currency: 'EUR', ...data }` and not `{ ...data, currency: 'EUR' }`: in V8 (Node 20) a
// property added after a spread leaves the copy's fast path, about 1.3 µs a call against
// 0.05 µs (more than the rest of a fold's work per event); docs/evolution.md says so too.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadDomain } from '../dist/app/load-domain.js';
import { streamState } from '../dist/app/state.js';
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';
import { runNode } from './child.mjs';
import { bankEvents, DATA_VERSION } from './events.mjs';
import { logStore } from './fixtures.mjs';
import { readBack } from './measure-projections.mjs';
import { CLI, ROOT, removeDatabase, scratchPath } from './paths.mjs';
import { BANK_CONFIG, checkBankSql } from './projection-sql.mjs';
import { schemaTag } from './raw-store.mjs';
import { median } from './stats.mjs';

export const name = 'upcast';

const TIME_TARGET = 1.15;
const STREAMS = 1_000;
const PROJECTION = 'account_summary';
/** Events in the one stream the fold reads: a fifth of the log, 200k at full size. */
const FOLD_SHARE = 5;
/** The fold is short: three alternating rounds per BENCH_REPEATS. */
const FOLD_ROUNDS_PER_REPEAT = 3;

const UPCAST = "{ version: 2, upcast: { 1: (data) => ({ currency: 'EUR', ...data }) } }";
const EVENTS = {
  AccountOpened: UPCAST,
  MoneyDeposited: UPCAST,
  MoneyWithdrawn: UPCAST,
};

export async function run(config, log) {
  checkBankSql();
  const upcastConfig = upcastingBank();
  return [await fold(config, log, upcastConfig), await catchUp(config, log, upcastConfig)];
}

/** The bank example's module with every event type at version 2, upcast from 1. */
function upcastingBank() {
  const source = readFileSync(BANK_CONFIG, 'utf8');
  const anchor = '  deciders: { account },\n';
  if (!source.includes(anchor)) throw new Error(`${BANK_CONFIG} has no "${anchor.trim()}"`);
  const events = Object.entries(EVENTS)
    .map(([type, declaration]) => `    ${type}: ${declaration},\n`)
    .join('');
  const path = scratchPath('bank-upcast.config.ts');
  writeFileSync(path, source.replace(anchor, `${anchor}  events: {\n${events}  },\n`));
  return path;
}

/**
 * `streamState` of one long stream, in process, as `eventlite state` folds it (no snapshot is
 * stored, so it folds every event): the bank module as it is against the upcasting one,
 * alternating, the median of BENCH_REPEATS rounds each.
 */
async function fold(config, log, upcastConfig) {
  const count = Math.max(1_000, Math.round(config.logEvents / FOLD_SHARE));
  const path = await oneStreamStore(count, log);
  const store = openSqliteEventStore(path);
  try {
    const plain = await loadDomain(BANK_CONFIG, ROOT);
    const upcasting = await loadDomain(upcastConfig, ROOT);
    const stream = 'account-a0';
    // CPU time of this process: the fold is all in this thread (SQLite's reads included), and
    // on a shared machine its wall time mostly measures the other processes.
    const time = async (domain) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const { state } = await streamState({ store, domain }, stream);
      const used = process.cpuUsage(cpu);
      const wallMs = performance.now() - started;
      return { ms: (used.user + used.system) / 1000, wallMs, state: JSON.stringify(state) };
    };
    const expected = (await time(plain)).state;
    if ((await time(upcasting)).state !== expected) throw new Error('the upcast fold differs');
    const rounds = { plain: [], upcasting: [] };
    for (let round = 0; round < config.repeats * FOLD_ROUNDS_PER_REPEAT; round += 1) {
      rounds.plain.push(await time(plain));
      rounds.upcasting.push(await time(upcasting));
    }
    const ms = (runs) => runs.map((run) => Math.round(run.ms)).join(' / ');
    log(`upcast: fold CPU without ${ms(rounds.plain)} ms, with ${ms(rounds.upcasting)} ms`);
    const plainMs = median(rounds.plain.map((run) => run.ms));
    const upcastMs = median(rounds.upcasting.map((run) => run.ms));
    const wall = (runs) => Math.round(median(runs.map((run) => run.wallMs)));
    return {
      measure: `fold of ${count.toLocaleString('en-US')} events through one upcast step each`,
      unit: 'ev/s',
      ours: (count / upcastMs) * 1000,
      raw: (count / plainMs) * 1000,
      target: target(upcastMs, plainMs),
      note:
        `streamState() of one stream, in process, no snapshot, by CPU time; "raw" is the same ` +
        `fold with the bank module as it is (no upcasters), median of ` +
        `${rounds.plain.length} alternating rounds; wall ${wall(rounds.upcasting)} ms vs ` +
        `${wall(rounds.plain)} ms; states identical`,
    };
  } finally {
    await store.close();
  }
}

/** A store of one stream of `count` bank events, imported through the port; cached. */
async function oneStreamStore(count, log) {
  const path = scratchPath(`fold-${schemaTag(DATA_VERSION)}-${count}.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building`;
  removeDatabase(building);
  const started = performance.now();
  const store = openSqliteEventStore(building, { create: true });
  try {
    const session = await store.beginImport();
    let batch = [];
    for (const event of bankEvents(count, 1)) {
      batch.push(event);
      if (batch.length === 2_000) {
        await session.add(batch);
        batch = [];
      }
    }
    await session.add(batch);
    await session.commit();
  } finally {
    await store.close();
  }
  renameSync(building, path);
  log(`built a ${count}-event one-stream store in ${Math.round(performance.now() - started)} ms`);
  return path;
}

/**
 * `eventlite projections run` of the bank's account_summary from checkpoint 0 over the log
 * store, whole processes: the bank module as it is against the upcasting one, alternating, the
 * median of BENCH_PROJECTION_ROUNDS rounds each. Both must build the same table.
 */
async function catchUp(config, log, upcastConfig) {
  const store = await logStore(config.logEvents, STREAMS, log);
  const read = scratchPath('upcast.read.db');
  const runWith = (domain) => {
    removeDatabase(read);
    const args = [CLI, '--db', store, '--read-db', read, '--domain', domain, 'projections', 'run'];
    const result = runNode(args, { rss: true });
    return { ...result, checksum: JSON.stringify(readBack(read, config.logEvents)) };
  };
  // A first run of each compiles its module into the transform cache and warms the page cache.
  const expected = runWith(BANK_CONFIG).checksum;
  if (runWith(upcastConfig).checksum !== expected) throw new Error('the upcast catch-up differs');
  const rounds = { plain: [], upcasting: [] };
  for (let round = 0; round < config.projectionRounds; round += 1) {
    rounds.plain.push(runWith(BANK_CONFIG));
    rounds.upcasting.push(runWith(upcastConfig));
  }
  removeDatabase(read);
  const times = (runs) => runs.map((r) => `${Math.round(r.ms)} (cpu ${Math.round(r.cpuMs)})`);
  log(`upcast: catch-up without ${times(rounds.plain).join(' / ')} ms`);
  log(`upcast: catch-up with ${times(rounds.upcasting).join(' / ')} ms`);
  for (const r of [...rounds.plain, ...rounds.upcasting]) {
    if (r.checksum !== expected) throw new Error('a catch-up built another table');
  }
  const plainMs = median(rounds.plain.map((r) => r.ms));
  const upcastMs = median(rounds.upcasting.map((r) => r.ms));
  const cpu = (runs) => Math.round(median(runs.map((r) => r.cpuMs)));
  return {
    measure: `projection catch-up ${config.logEvents.toLocaleString('en-US')} events through one upcast step each`,
    unit: 'ev/s',
    ours: (config.logEvents / upcastMs) * 1000,
    raw: (config.logEvents / plainMs) * 1000,
    target: target(upcastMs, plainMs),
    note:
      `\`eventlite projections run\` of the bank's ${PROJECTION} into a fresh read database, ` +
      `whole process; "raw" is the same run with the bank module as it is (no upcasters), ` +
      `median of ${config.projectionRounds} alternating rounds; CPU ${cpu(rounds.upcasting)} ms ` +
      `vs ${cpu(rounds.plain)} ms; tables identical`,
  };
}

function target(oursMs, withoutMs) {
  return {
    text: `time ≤ ${TIME_TARGET}x without upcasters (now ${(oursMs / withoutMs).toFixed(2)}x)`,
    met: oursMs / withoutMs <= TIME_TARGET,
  };
}
