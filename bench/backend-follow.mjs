// --backend postgres, 5: following on each backend, both through eventlite: `subscribe
// --follow -- cat` woken by LISTEN/NOTIFY on PostgreSQL and by a watch of the file on SQLite.
// The same rows as measure-follow.mjs, PostgreSQL beside SQLite.
import { createStore, openStore } from './backend-stores.mjs';
import { measureFollower } from './follow-latency.mjs';
import { followRows } from './measure-follow.mjs';
import { CLI, removeDatabase, scratchPath } from './paths.mjs';

export const name = 'follow';

export async function run(config, log, { cluster }) {
  const sqlite = scratchPath('backend-follow.db');
  removeDatabase(sqlite);
  const pg = await cluster.freshDatabase('bench_follow');
  const options = { count: config.followEvents, gapMs: 100, idleMs: config.followIdleMs };
  const results = {};
  for (const [key, location] of Object.entries({ sqlite, pg })) {
    await createStore(location);
    const store = await openStore(location);
    const from = String((await store.head()) + 1);
    await store.close();
    results[key] = await measureFollower(
      location,
      [CLI, '--db', location, 'subscribe', 'bench', '--follow', '--from', from, '--', 'cat'],
      options,
    );
    log(
      `follow: ${key} median ${results[key].medianMs.toFixed(1)} ms, idle ${results[key].idleCpuPercent.toFixed(2)}%`,
    );
  }
  removeDatabase(sqlite);
  await cluster.dropDatabase('bench_follow');
  return followRows(
    'PostgreSQL',
    results.pg,
    results.sqlite,
    'baseline: the same on SQLite',
    options,
  );
}
