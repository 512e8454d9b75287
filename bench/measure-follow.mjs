// 8. Following: `eventlite subscribe --follow -- cat` on a SQLite store, beside a raw tailer
// polling PRAGMA data_version every 10 ms (raw-follower.mjs). Rows: the median time from an
// append's commit to the event's line out of the consumer (issue 23's target: under 50 ms),
// and the CPU the follower uses while idle (target: under 1% of a core).
import { measureFollower } from './follow-latency.mjs';
import { createStore, openStore } from './backend-stores.mjs';
import { CLI, removeDatabase, ROOT, scratchPath } from './paths.mjs';
import { join } from 'node:path';

export const name = 'follow';

const LATENCY_TARGET_MS = 50;
const IDLE_TARGET_PERCENT = 1;

export async function run(config, log) {
  const path = scratchPath('follow.db');
  removeDatabase(path);
  await createStore(path);
  const options = { count: config.followEvents, gapMs: 100, idleMs: config.followIdleMs };
  const from = async () => {
    const store = await openStore(path);
    try {
      return String((await store.head()) + 1);
    } finally {
      await store.close();
    }
  };
  const ours = await measureFollower(
    path,
    [CLI, '--db', path, 'subscribe', 'bench', '--follow', '--from', await from(), '--', 'cat'],
    options,
  );
  const raw = await measureFollower(
    path,
    [join(ROOT, 'bench', 'raw-follower.mjs'), path, await from()],
    options,
  );
  removeDatabase(path);
  log(
    `follow: ours median ${ours.medianMs.toFixed(1)} ms, idle ${ours.idleCpuPercent.toFixed(2)}%; raw ${raw.medianMs.toFixed(1)} ms, idle ${raw.idleCpuPercent.toFixed(2)}%`,
  );
  return followRows('SQLite', ours, raw, 'a raw tailer polling every 10 ms', options);
}

/** The two rows of a follow measure: latency and idle CPU, with the targets. */
export function followRows(where, ours, raw, baseline, options) {
  return [
    {
      measure: `${where}: append commit → \`subscribe --follow\` consumer's stdin, median of ${options.count}`,
      unit: 'ms',
      ours: ours.medianMs,
      raw: raw.medianMs,
      target: {
        text: `< ${LATENCY_TARGET_MS} ms (now ${ours.medianMs.toFixed(1)} ms)`,
        met: ours.medianMs < LATENCY_TARGET_MS,
      },
      note: `${baseline}; one append every ${options.gapMs} ms; p90 ${percentile(ours.latencies, 0.9).toFixed(1)} ms vs ${percentile(raw.latencies, 0.9).toFixed(1)} ms`,
    },
    {
      measure: `${where}: idle \`subscribe --follow\`, CPU over ${options.idleMs / 1000} s`,
      unit: '% of a core',
      ours: ours.idleCpuPercent,
      raw: Math.max(raw.idleCpuPercent, 0.01),
      target: {
        text: `< ${IDLE_TARGET_PERCENT}% of a core (now ${ours.idleCpuPercent.toFixed(2)}%)`,
        met: ours.idleCpuPercent < IDLE_TARGET_PERCENT,
      },
    },
  ];
}

function percentile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}
