// Commands in process, as `exec --file` runs them: each line parsed, then read (a state kept in
// the process), decide, append, fold, through `executeCommand` with one StateCache, on the
// bank example, each command its own durable commit. Beside it the raw program doing the same
// work with better-sqlite3 on the same schema and pragmas: the same decider's functions, its
// states kept in a Map, and per command BEGIN IMMEDIATE, the stream's version checked against
// the kept one, the INSERT of each event (a UUIDv7 id, the same metadata), COMMIT. Alternating
// slices, both stores open throughout.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { executeCommand } from '../dist/app/exec.js';
import { StateCache } from '../dist/app/load-state.js';
import { loadDomain } from '../dist/app/load-domain.js';
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';
import { uuidv7 } from './events.mjs';
import { removeDatabase, ROOT, scratchPath } from './paths.mjs';
import { createRawStore, INSERT_SQL } from './raw-store.mjs';
import { median } from './stats.mjs';

export const name = 'exec-inprocess';

const TARGET = 1.15;
const SLICES = 20;
const DOMAIN = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');

export async function run(config, log) {
  const domain = await loadDomain(DOMAIN);
  const lines = bankLines(config.appends, config.appendStreams);
  const ours = new Ours(scratchPath('exec-inprocess.db'), domain);
  const raw = new Raw(scratchPath('exec-inprocess-raw.db'), domain.deciders.account);
  const per = Math.ceil(lines.length / SLICES);
  const times = { ours: [], raw: [] };
  const cpu = { ours: 0, raw: 0 };
  try {
    for (let start = 0; start < lines.length; start += per) {
      const slice = lines.slice(start, start + per);
      for (const [key, side] of [
        ['raw', raw],
        ['ours', ours],
      ]) {
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await side.run(slice);
        times[key].push(((performance.now() - started) * 1000) / slice.length);
        const used = process.cpuUsage(cpuBefore);
        cpu[key] += used.user + used.system;
      }
    }
    await ours.check(lines.length);
  } finally {
    await ours.close();
    raw.close();
  }
  const oursTime = median(times.ours);
  const rawTime = median(times.raw);
  const perCpu = (key) => (cpu[key] / lines.length).toFixed(1);
  log(`exec in process: ${oursTime.toFixed(1)} µs/command, raw ${rawTime.toFixed(1)}`);
  return [
    {
      measure: `commands in process (exec --file's loop), ${lines.length} bank commands over ${config.appendStreams} accounts`,
      unit: 'µs/cmd',
      ours: oursTime,
      raw: rawTime,
      target: { text: `time ≤ ${TARGET}×`, met: oursTime / rawTime <= TARGET },
      note:
        `median of ${times.ours.length} alternating slices; each command a durable commit on ` +
        `both sides; CPU per command ${perCpu('ours')} µs (ours) vs ${perCpu('raw')} µs (raw)`,
    },
  ];
}

/** An OpenAccount per account, then Deposits round robin, as NDJSON lines. */
function bankLines(count, accounts) {
  const lines = [];
  for (let index = 0; index < count; index += 1) {
    const accountId = `a${index % accounts}`;
    lines.push(
      JSON.stringify(
        index < accounts
          ? { command: 'OpenAccount', data: { accountId, owner: `Owner ${index}` } }
          : { command: 'Deposit', data: { accountId, amount: 1 + (index % 500) } },
      ),
    );
  }
  return lines;
}

class Ours {
  constructor(path, domain) {
    this.path = path;
    removeDatabase(path);
    this.ctx = { store: openSqliteEventStore(path, { create: true }), domain };
    this.states = new StateCache();
  }

  async run(lines) {
    for (const line of lines) {
      const { command, data } = JSON.parse(line);
      await executeCommand(this.ctx, { type: command, data }, { states: this.states });
    }
  }

  async check(events) {
    const counts = await this.ctx.store.counts();
    if (counts.events !== events) throw new Error(`exec in process stored ${counts.events} events`);
  }

  async close() {
    await this.ctx.store.close();
    removeDatabase(this.path);
  }
}

class Raw {
  constructor(path, decider) {
    this.path = path;
    this.decider = decider;
    this.db = createRawStore(path);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.version = this.db.prepare('SELECT max(version) FROM events WHERE stream = ?').pluck();
    this.insert = this.db.prepare(INSERT_SQL);
    this.states = new Map();
  }

  run(lines) {
    const { decider } = this;
    for (const line of lines) {
      const { command, data } = JSON.parse(line);
      const stream = `account-${decider.streamId({ type: command, data })}`;
      const kept = this.states.get(stream) ?? { state: decider.initialState(), version: 0 };
      this.begin.run();
      if ((this.version.get(stream) ?? 0) !== kept.version) throw new Error('another writer');
      const metadata = JSON.stringify({ command, correlationId: randomUUID() });
      const recordedAt = new Date().toISOString();
      let { state, version } = kept;
      for (const event of decider.decide({ type: command, data }, state)) {
        version += 1;
        const json = JSON.stringify(event.data);
        this.insert.run(uuidv7(), stream, version, event.type, json, metadata, recordedAt);
        state = decider.evolve(state, { ...event, stream, version, data: JSON.parse(json) });
      }
      this.commit.run();
      this.states.set(stream, { state, version });
    }
  }

  close() {
    this.db.close();
    removeDatabase(this.path);
  }
}
