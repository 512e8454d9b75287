// 5. Projection throughput: the bank example's `account_summary` projection over the 1M-event
// log store, through the real CLI (`eventlite projections run`, a catch-up from zero into a
// fresh read database, and `eventlite projections rebuild` over that built read database),
// each a whole child process with its peak RSS, beside a raw better-sqlite3 process that
// applies the same SQL (raw-projection-child.mjs). The 1M runs alternate over a few rounds and
// the median is reported; a catch-up to a quarter of the log shows memory stays flat. Every
// run's table is checked against the raw baseline's, row for row (a digest), so a fast but
// wrong run cannot pass.
import Database from 'better-sqlite3';
import { runNode } from './child.mjs';
import { logStore } from './fixtures.mjs';
import { CLI, RAW_PROJECTION_CHILD, removeDatabase, scratchPath } from './paths.mjs';
import { BANK_CONFIG, checkBankSql, summaryChecksum } from './projection-sql.mjs';
import { median, perSecond } from './stats.mjs';

/** Issue 11's target: each run takes at most this many times the raw program's (wall) time. */
const TIME_TARGET = 1.1;
/** "Flat": peak RSS of the full catch-up within this factor of the quarter-size one. */
const FLAT_RSS_FACTOR = 1.1;
const STREAMS = 1_000;
const PROJECTION = 'account_summary';

export const name = 'projections';

export async function run(config, log) {
  checkBankSql();
  const store = await logStore(config.logEvents, STREAMS, log);
  const full = config.logEvents;
  const small = config.logEventsSmall;
  const oursRead = scratchPath('projections-ours.read.db');
  const rawRead = scratchPath('projections-raw.read.db');

  // The quarter-size runs first: they also warm the page cache and jiti's compile cache.
  const rawSmall = runRaw(store, rawRead, small);
  const oursSmall = catchUp(store, oursRead, full, small);
  expectSame(oursSmall.checksum, rawSmall.checksum, `catch-up to ${small}`);

  const rounds = { raw: [], catchUp: [], rebuild: [] };
  for (let round = 0; round < config.projectionRounds; round += 1) {
    const raw = runRaw(store, rawRead, full);
    const ours = catchUp(store, oursRead, full);
    expectSame(ours.checksum, raw.checksum, 'catch-up');
    const rebuilt = rebuild(store, oursRead, full);
    expectSame(rebuilt.checksum, raw.checksum, 'rebuild');
    rounds.raw.push(raw);
    rounds.catchUp.push(ours);
    rounds.rebuild.push(rebuilt);
  }
  removeDatabase(oursRead);
  removeDatabase(rawRead);
  const times = (runs) => runs.map((r) => `${Math.round(r.ms)} (cpu ${Math.round(r.cpuMs)})`);
  log(`projections: catch-up ${times(rounds.catchUp).join(' / ')} ms`);
  log(`projections: rebuild ${times(rounds.rebuild).join(' / ')} ms`);
  log(`projections: raw ${times(rounds.raw).join(' / ')} ms`);

  const raw = middle(rounds.raw);
  const ours = middle(rounds.catchUp);
  const rebuilt = middle(rounds.rebuild);
  const rawRate = perSecond(full, raw.ms);
  const oursRate = perSecond(full, ours.ms);
  const rebuildRate = perSecond(full, rebuilt.ms);
  const maxRss = (runs) => Math.max(...runs.map((r) => r.rssKb));
  const oursFullRss = maxRss(rounds.catchUp);
  const rawFullRss = maxRss(rounds.raw);
  const growth = oursFullRss / oursSmall.rssKb;
  const cpu = (r) => `${Math.round(r.cpuMs)} ms`;
  const cpuRatio = (a, b) => `${(a.cpuMs / b.cpuMs).toFixed(2)}x the raw CPU time`;
  return [
    {
      measure: `projection catch-up ${count(full)} events, \`eventlite projections run\``,
      unit: 'ev/s',
      ours: oursRate,
      raw: rawRate,
      target: timeTarget(ours.ms, raw.ms),
      note:
        `bank ${PROJECTION} from checkpoint 0 into a fresh read database, wall time of the ` +
        `whole process (start-up and loading the TypeScript domain module included), median ` +
        `of ${rounds.catchUp.length}; raw iterates the log in one statement, parses data only, ` +
        `runs the same SQL and commits every 2000 events with a checkpoint compare-and-set, ` +
        `like the runner; CPU time ${cpu(ours)} vs ${cpu(raw)} (${cpuRatio(ours, raw)}); tables identical`,
    },
    {
      measure: `projection rebuild ${count(full)} events, \`eventlite projections rebuild\``,
      unit: 'ev/s',
      ours: rebuildRate,
      raw: rawRate,
      target: timeTarget(rebuilt.ms, raw.ms),
      note:
        `over the built read database: replay into a scratch file (synchronous=OFF), then ` +
        `swap; raw is the catch-up baseline above (durable commits); CPU time ${cpu(rebuilt)} ` +
        `(${cpuRatio(rebuilt, raw)})`,
    },
    rssRow(`peak RSS, projection catch-up ${count(small)} events`, oursSmall.rssKb, rawSmall),
    {
      ...rssRow(`peak RSS, projection catch-up ${count(full)} events`, oursFullRss, rawFullRss),
      target: {
        text: `flat: ≤ ${FLAT_RSS_FACTOR}x the ${count(small)} run`,
        met: growth <= FLAT_RSS_FACTOR,
      },
      note: `ours ${growth.toFixed(2)}x the ${count(small)} catch-up (the most of ${rounds.catchUp.length} runs)`,
    },
    {
      ...rssRow(
        `peak RSS, projection rebuild ${count(full)} events`,
        maxRss(rounds.rebuild),
        rawFullRss,
      ),
      note: 'raw is the 1M catch-up baseline',
    },
  ];
}

function rssRow(measure, oursKb, raw) {
  const rawKb = typeof raw === 'number' ? raw : raw.rssKb;
  return { measure, unit: 'MiB', ours: oursKb / 1024, raw: rawKb / 1024 };
}

function cliArgs(store, read) {
  return [CLI, '--db', store, '--read-db', read, '--domain', BANK_CONFIG, 'projections'];
}

/** `projections run` from zero: a fresh read database every time; to the head by default. */
function catchUp(store, read, head, until) {
  removeDatabase(read);
  const args = [...cliArgs(store, read), 'run'];
  if (until !== undefined) args.push('--until', String(until));
  const result = runNode(args, { rss: true });
  return { ...result, checksum: readBack(read, until ?? head) };
}

/** `projections rebuild` over the read database a catch-up has just built. */
function rebuild(store, read, head) {
  const result = runNode([...cliArgs(store, read), 'rebuild', PROJECTION], { rss: true });
  return { ...result, checksum: readBack(read, head) };
}

function runRaw(store, read, until) {
  removeDatabase(read);
  const result = runNode([RAW_PROJECTION_CHILD, store, read, String(until)], {
    rss: true,
    captureStdout: true,
  });
  const [checkpoint, checksum] = result.stdout.trim().split(' ');
  if (Number(checkpoint) !== until) {
    throw new Error(`raw projection stopped at ${checkpoint}, not ${until}`);
  }
  return { ...result, checksum: JSON.parse(checksum) };
}

/** The table's digest, after checking the checkpoint the run left behind. */
export function readBack(path, expected) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT checkpoint, status FROM eventlite_projections WHERE name = ?')
      .get(PROJECTION);
    if (row?.checkpoint !== expected || row.status !== 'ok') {
      throw new Error(`${PROJECTION} in ${path}: ${JSON.stringify(row)}, expected ${expected}`);
    }
    return summaryChecksum(db);
  } finally {
    db.close();
  }
}

function expectSame(ours, raw, what) {
  if (JSON.stringify(ours) !== JSON.stringify(raw)) {
    throw new Error(
      `${what}: ours built ${JSON.stringify(ours)}, raw built ${JSON.stringify(raw)}`,
    );
  }
}

/** The run with the median wall time (a real run, so its CPU time and RSS go with it). */
function middle(runs) {
  const ms = median(runs.map((r) => r.ms));
  return runs.reduce((best, r) => (Math.abs(r.ms - ms) < Math.abs(best.ms - ms) ? r : best));
}

function count(events) {
  if (events >= 1_000_000 && events % 1_000_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 1_000 === 0) return `${events / 1_000}k`;
  return String(events);
}

/** Time ours / time raw against TIME_TARGET, shown as the multiple it is. */
function timeTarget(oursMs, rawMs) {
  return {
    text: `time ≤ ${TIME_TARGET}x raw (now ${(oursMs / rawMs).toFixed(2)}x)`,
    met: oursMs / rawMs <= TIME_TARGET,
  };
}
