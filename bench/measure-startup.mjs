// 4. Start-up: short commands on a small store beside `node -e 0`, the floor any Node CLI
// pays. A script that calls `exec` a thousand times spends most of its time here. Each round
// runs every command once and `node -e 0` once after each, so drift on the machine touches
// both alike; each row is the median of the command's runs against the median of the
// `node -e 0` runs paired with them. The rows compare CPU time (user + system, as the process
// itself counts it at exit, through rss-preload.cjs in both): on a shared machine the wall
// time mostly measures the wait for a core. The notes give the wall times too. Output goes
// into a pipe, as it does in a script (`eventlite streams | jq`, `x=$(eventlite ...)`).
import { join } from 'node:path';
import { runNode } from './child.mjs';
import { smallStore } from './fixtures.mjs';
import { CLI, ROOT, removeDatabase, scratchPath } from './paths.mjs';
import { median } from './stats.mjs';

export const name = 'startup';

const BANK = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');
const OPEN = JSON.stringify({ accountId: 'new', owner: 'Ada' });

function commands(path) {
  const db = ['--db', path];
  const domain = [...db, '--domain', BANK];
  const ndjson = ['--format', 'ndjson'];
  return [
    { label: '--version', args: ['--version'], target: 1.2 },
    { label: '--help', args: ['--help'], target: 1.2 },
    { label: 'streams', args: [...db, 'streams', ...ndjson], target: 1.3 },
    { label: 'read STREAM', args: [...db, 'read', 'account-a0', ...ndjson], target: 1.3 },
    { label: 'log --limit 10', args: [...db, 'log', '--limit', '10', ...ndjson], target: 1.3 },
    { label: 'status', args: [...db, 'status', ...ndjson], target: 1.3 },
    {
      label: 'query',
      args: [...db, 'query', 'SELECT count(*) AS n FROM account_summary', ...ndjson],
      target: 1.3,
    },
    {
      label: 'exec, TypeScript bank module',
      args: [...domain, 'exec', '--dry-run', 'OpenAccount', OPEN, ...ndjson],
      target: 1.6,
    },
    {
      label: 'state, TypeScript bank module',
      args: [...domain, 'state', 'account-a0', ...ndjson],
      target: 1.6,
    },
  ];
}

export async function run(config, log) {
  const path = await smallStore();
  // The read models `query` reads, built untimed; and the compiled domain module cached, as
  // it is from a user's second run on.
  const env = { EVENTLITE_CACHE_DIR: scratchPath('cache') };
  runNode([CLI, '--db', path, '--domain', BANK, 'projections', 'run', '--quiet'], { env });
  const list = commands(path);
  for (const command of list) runNode([CLI, ...command.args], { env });
  runNode(['-e', '0']);
  const times = list.map(() => ({ ours: [], node: [] }));
  for (let round = 0; round < config.startupRuns; round += 1) {
    list.forEach((command, index) => {
      times[index].ours.push(
        runNode([CLI, ...command.args], { env, rss: true, captureStdout: true }),
      );
      times[index].node.push(runNode(['-e', '0'], { rss: true, captureStdout: true }));
    });
  }
  removeDatabase(path);
  removeDatabase(path.replace(/\.db$/, '.read.db'));
  return list.map((command, index) => {
    const ours = median(times[index].ours.map((run) => run.cpuMs));
    const raw = median(times[index].node.map((run) => run.cpuMs));
    const oursWall = median(times[index].ours.map((run) => run.ms));
    const rawWall = median(times[index].node.map((run) => run.ms));
    log(
      `startup: ${command.label} ${ours.toFixed(0)} ms CPU (${oursWall.toFixed(0)} ms wall), ` +
        `node -e 0 ${raw.toFixed(0)} ms CPU (${rawWall.toFixed(0)} ms wall)`,
    );
    return {
      measure: `start-up CPU, \`eventlite ${command.label}\` vs \`node -e 0\` (median of ${config.startupRuns})`,
      unit: 'ms',
      ours,
      raw,
      target: { text: `≤ ${command.target}× node`, met: ours / raw <= command.target },
      note:
        `eventlite adds ${(ours - raw).toFixed(0)} ms of CPU; wall ${oursWall.toFixed(0)} ms ` +
        `vs ${rawWall.toFixed(0)} ms (${((oursWall / rawWall) * 100).toFixed(0)}%)`,
    };
  });
}
