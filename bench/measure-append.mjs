// 2. One-event appends, each its own transaction, through the EventStore port's `append` (the
// SQLite adapter, as a library user opens it) beside the raw minimum for the same job:
// BEGIN IMMEDIATE; SELECT max(version); INSERT; COMMIT.
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';
import { uuidv7 } from './events.mjs';
import { removeDatabase, scratchPath } from './paths.mjs';
import { createRawStore, INSERT_SQL } from './raw-store.mjs';
import { median, perSecond, time, timeAsync } from './stats.mjs';

const TARGET = 0.5;
const ROUNDS = 10;

export const name = 'append';

export async function run(config, log) {
  const rounds = Math.max(config.repeats, ROUNDS);
  const perRound = Math.max(1, Math.round(config.appends / rounds));
  const work = appendWork(perRound * rounds, config.appendStreams);
  // Both stores stay open across rounds; the rounds alternate so fsync jitter and other load
  // on the machine fall on both sides alike, and the median round is reported.
  const ours = new ApiAppender(scratchPath('append.db'));
  const raw = new RawAppender(scratchPath('append-raw.db'));
  const oursRates = [];
  const rawRates = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const slice = work.slice(round * perRound, (round + 1) * perRound);
      rawRates.push(
        perSecond(
          slice.length,
          time(() => raw.appendAll(slice)),
        ),
      );
      oursRates.push(perSecond(slice.length, await timeAsync(() => ours.appendAll(slice))));
    }
  } finally {
    await ours.close();
    raw.close();
  }
  log(`append: raw ${fmt(rawRates)}, store.append ${fmt(oursRates)} ev/s per round`);
  const oursRate = median(oursRates);
  const rawRate = median(rawRates);
  return [
    {
      measure: `append 1 event x ${work.length} (${config.appendStreams} streams), store.append`,
      unit: 'ev/s',
      ours: oursRate,
      raw: rawRate,
      target: {
        text: `≥ ${TARGET * 100}% of raw (bench's own)`,
        met: oursRate / rawRate >= TARGET,
      },
      note: `median of ${rounds} alternating rounds; one fsync per commit (synchronous=FULL) bounds both`,
    },
  ];
}

/** `count` one-event appends over `streams` streams, round robin (the PostgreSQL bench's too). */
export function appendWork(count, streams, prefix = '') {
  const work = [];
  for (let index = 0; index < count; index += 1) {
    const account = index % streams;
    work.push({
      stream: `${prefix}account-a${account}`,
      event: {
        type: 'MoneyDeposited',
        data: { accountId: `a${account}`, amount: 1 + (index % 500), balance: index },
      },
    });
  }
  return work;
}

class ApiAppender {
  constructor(path) {
    this.path = path;
    removeDatabase(path);
    this.store = openSqliteEventStore(path, { create: true });
  }

  async appendAll(work) {
    for (const { stream, event } of work) await this.store.append(stream, [event]);
  }

  async close() {
    await this.store.close();
    removeDatabase(this.path);
  }
}

class RawAppender {
  constructor(path) {
    this.path = path;
    this.db = createRawStore(path);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.streamVersion = this.db
      .prepare('SELECT max(version) FROM events WHERE stream = ?')
      .pluck();
    this.insert = this.db.prepare(INSERT_SQL);
  }

  appendAll(work) {
    for (const { stream, event } of work) {
      this.begin.run();
      const version = (this.streamVersion.get(stream) ?? 0) + 1;
      this.insert.run(
        uuidv7(),
        stream,
        version,
        event.type,
        JSON.stringify(event.data),
        '{}',
        new Date().toISOString(),
      );
      this.commit.run();
    }
  }

  close() {
    this.db.close();
    removeDatabase(this.path);
  }
}

function fmt(values) {
  return values.map((value) => Math.round(value)).join('/');
}
