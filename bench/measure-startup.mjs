// 4. Start-up: `eventlite streams` on a small store beside `node -e 0`, the floor any Node
// CLI pays. Runs alternate so that drift on the machine touches both alike.
import { runNode } from './child.mjs';
import { smallStore } from './fixtures.mjs';
import { CLI, removeDatabase } from './paths.mjs';
import { median } from './stats.mjs';

export const name = 'startup';

export async function run(config, log) {
  const path = await smallStore();
  const streams = [CLI, '--db', path, 'streams', '--format', 'ndjson'];
  runNode(streams);
  runNode(['-e', '0']);
  const oursMs = [];
  const nodeMs = [];
  for (let round = 0; round < config.startupRuns; round += 1) {
    oursMs.push(runNode(streams).ms);
    nodeMs.push(runNode(['-e', '0']).ms);
  }
  removeDatabase(path);
  const ours = median(oursMs);
  const raw = median(nodeMs);
  log(`startup: streams ${ours.toFixed(0)} ms, node -e 0 ${raw.toFixed(0)} ms`);
  return [
    {
      measure: `start-up, \`eventlite streams\` vs \`node -e 0\` (median of ${config.startupRuns})`,
      unit: 'ms',
      ours,
      raw,
      note: `eventlite adds ${(ours - raw).toFixed(0)} ms`,
    },
  ];
}
