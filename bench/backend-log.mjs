// --backend postgres, 3: reading the whole log, `eventlite log --format ndjson` > /dev/null as a
// whole process, over the store each backend's import wrote. PostgreSQL reads it a page of
// 2000 events at a time (keyset on position, one statement each), SQLite in one statement.
import { logStores, rounds } from './backend-import.mjs';
import { runNode } from './child.mjs';
import { CLI } from './paths.mjs';
import { median, perSecond } from './stats.mjs';

export const name = 'log';

export async function run(config, log, context) {
  const stores = await logStores(config, log, context);
  const runs = { sqlite: [], postgres: [] };
  for (let round = 0; round < config.backendRounds; round += 1) {
    for (const backend of ['sqlite', 'postgres']) {
      const args = [CLI, '--db', stores[backend], 'log', '--format', 'ndjson'];
      runs[backend].push(runNode(args, { rss: true }));
    }
  }
  const times = (list) => list.map((r) => `${Math.round(r.ms)} (cpu ${Math.round(r.cpuMs)})`);
  log(`log: SQLite ${times(runs.sqlite).join(' / ')} ms`);
  log(`log: PostgreSQL ${times(runs.postgres).join(' / ')} ms`);
  const rate = (list) => perSecond(stores.events, median(list.map((r) => r.ms)));
  const cpu = (list) => Math.round(median(list.map((r) => r.cpuMs)));
  const rss = (list) => (Math.max(...list.map((r) => r.rssKb)) / 1024).toFixed(0);
  return [
    {
      measure: `read ${stores.events} events, \`eventlite log --format ndjson\` > /dev/null`,
      unit: 'ev/s',
      ours: rate(runs.postgres),
      raw: rate(runs.sqlite),
      note:
        `wall time of the whole process${rounds(config.backendRounds)}; client CPU time ` +
        `${cpu(runs.postgres)} ms vs ${cpu(runs.sqlite)} ms, peak RSS ${rss(runs.postgres)} ` +
        `MiB vs ${rss(runs.sqlite)} MiB`,
    },
  ];
}
