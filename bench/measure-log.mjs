// 3. Reading the whole log: `eventlite log --format ndjson` to /dev/null beside a raw
// iterate + parse + stringify, each a child process with its peak RSS recorded. Read at a
// quarter and at the full size, to show memory stays flat as the event count grows; and once
// more at the full size with V8's old space capped, which only completes, at the same RSS,
// if nothing is kept per event (with the default heap, V8 may leave garbage uncollected).
import { logStore } from './fixtures.mjs';
import { runNode } from './child.mjs';
import { CLI, RAW_LOG_READER } from './paths.mjs';
import { perSecond } from './stats.mjs';

/** Issue 11's target: the read takes at most this many times the raw reader's (wall) time. */
const TIME_TARGET = 1.1;
/** "Flat": peak RSS at the full size within this factor of the quarter-size read. */
const FLAT_RSS_FACTOR = 1.1;
const STREAMS = 1_000;
const CAPPED_HEAP = ['--max-old-space-size=32'];

export const name = 'log';

export async function run(config, log) {
  const path = await logStore(config.logEvents, STREAMS, log);
  const small = config.logEventsSmall;
  const full = config.logEvents;
  const oursSmall = readWithCli(path, small);
  const rawSmall = readRaw(path, small);
  const oursFull = readWithCli(path, full);
  const rawFull = readRaw(path, full);
  const oursCapped = readWithCli(path, full, CAPPED_HEAP);
  const rawCapped = readRaw(path, full, CAPPED_HEAP);
  const times = (...runs) => runs.map((r) => `${Math.round(r.ms)} (cpu ${Math.round(r.cpuMs)})`);
  log(`log: CLI ${times(oursSmall, oursFull, oursCapped).join(' / ')} ms`);
  log(`log: raw ${times(rawSmall, rawFull, rawCapped).join(' / ')} ms`);

  const ours = perSecond(full, oursFull.ms);
  const raw = perSecond(full, rawFull.ms);
  const growth = oursFull.rssKb / oursSmall.rssKb;
  const cappedGrowth = oursCapped.rssKb / oursSmall.rssKb;
  return [
    {
      measure: `read ${count(full)} events, \`eventlite log --format ndjson\` > /dev/null`,
      unit: 'ev/s',
      ours,
      raw,
      target: {
        text: `time ≤ ${TIME_TARGET}x raw (now ${(oursFull.ms / rawFull.ms).toFixed(2)}x)`,
        met: oursFull.ms / rawFull.ms <= TIME_TARGET,
      },
      note:
        'wall time of the whole process; raw does not write its output; CPU time ' +
        `${Math.round(oursFull.cpuMs)} ms vs ${Math.round(rawFull.cpuMs)} ms`,
    },
    rssRow(`peak RSS reading ${count(small)} events`, oursSmall, rawSmall),
    {
      ...rssRow(`peak RSS reading ${count(full)} events`, oursFull, rawFull),
      note:
        `ours ${growth.toFixed(2)}x the ${count(small)} read` +
        (cappedGrowth <= FLAT_RSS_FACTOR
          ? ': garbage V8 has not collected yet, as the capped read below shows'
          : ''),
    },
    {
      ...rssRow(`peak RSS reading ${count(full)} events, ${CAPPED_HEAP[0]}`, oursCapped, rawCapped),
      target: {
        text: `flat: ≤ ${FLAT_RSS_FACTOR}x the ${count(small)} read`,
        met: cappedGrowth <= FLAT_RSS_FACTOR,
      },
      note: `ours ${cappedGrowth.toFixed(2)}x the ${count(small)} read (default heap)`,
    },
  ];
}

function rssRow(measure, ours, raw) {
  return {
    measure,
    unit: 'MiB',
    ours: ours.rssKb / 1024,
    raw: raw.rssKb / 1024,
  };
}

function readWithCli(path, limit, nodeOptions = []) {
  const args = [CLI, '--db', path, 'log', '--format', 'ndjson', '--limit', String(limit)];
  return runNode([...nodeOptions, ...args], { rss: true });
}

function readRaw(path, limit, nodeOptions = []) {
  const result = runNode([...nodeOptions, RAW_LOG_READER, path, String(limit)], {
    rss: true,
    captureStdout: true,
  });
  const events = Number(result.stdout.split(' ')[0]);
  if (events !== limit) throw new Error(`raw reader saw ${events} of ${limit} events`);
  return result;
}

function count(events) {
  if (events >= 1_000_000 && events % 1_000_000 === 0) return `${events / 1_000_000}M`;
  if (events >= 1_000 && events % 1_000 === 0) return `${events / 1_000}k`;
  return String(events);
}
