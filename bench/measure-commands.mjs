// Commands on a long stream: `eventlite replay` of N bank commands on one account beside the
// same number spread over N/10 accounts, each a whole process on a fresh store, measured in the
// same run. Without snapshots and kept states every command folds its stream from the first
// event, so the one-stream replay slows down without bound; the target is that it runs at
// least 80% as fast as the spread one, and both at least 1,000 commands/s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from './child.mjs';
import { CLI, ROOT, removeDatabase, scratchPath } from './paths.mjs';
import { median } from './stats.mjs';

export const name = 'commands';

const DOMAIN = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');
const RATIO_TARGET = 0.8;
const RATE_TARGET = 1000;

/** `count` commands: an OpenAccount per account, then Deposits round robin over them. */
function scenario(count, accounts) {
  const lines = [];
  for (let account = 0; account < accounts; account += 1) {
    lines.push({
      command: 'OpenAccount',
      data: { accountId: `a${account}`, owner: `Owner ${account}` },
    });
  }
  for (let index = accounts; index < count; index += 1) {
    const account = index % accounts;
    lines.push({
      command: 'Deposit',
      data: { accountId: `a${account}`, amount: 1 + (index % 500) },
    });
  }
  const file = scratchPath(`commands-${count}-${accounts}.ndjson`);
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return file;
}

async function replayRate(file, count) {
  const store = scratchPath('commands.db');
  removeDatabase(store);
  const { ms, cpuMs } = runNode(
    [CLI, '--db', store, '--domain', DOMAIN, 'replay', file, '--format', 'ndjson'],
    { rss: true },
  );
  const { openSqliteEventStore } = await import(join(ROOT, 'dist/store/sqlite/index.js'));
  const opened = openSqliteEventStore(store);
  try {
    const counts = await opened.counts();
    const failed = (await opened.verify()).filter((check) => !check.ok);
    if (counts.events !== count || failed.length > 0) {
      throw new Error(
        `replay of ${file}: ${counts.events} events of ${count}, failed checks ${JSON.stringify(failed)}`,
      );
    }
  } finally {
    await opened.close();
  }
  removeDatabase(store);
  return { rate: (count / ms) * 1000, cpuMs };
}

function cpuRates({ one, many }) {
  if (one.length === 0) return 'not measured';
  const rate = (values) => `${Math.round(median(values)).toLocaleString('en-US')} cmd/s`;
  return `${rate(one)} on 1 stream, ${rate(many)} spread`;
}

export async function run(config, log) {
  const count = config.commands;
  const accounts = Math.max(1, Math.round(count / 10));
  const oneFile = scenario(count, 1);
  const manyFile = scenario(count, accounts);
  const one = [];
  const many = [];
  const cpu = { one: [], many: [] };
  for (let round = 0; round < config.commandRounds; round += 1) {
    const single = await replayRate(oneFile, count);
    const spread = await replayRate(manyFile, count);
    one.push(single.rate);
    many.push(spread.rate);
    if (single.cpuMs && spread.cpuMs) {
      cpu.one.push((count / single.cpuMs) * 1000);
      cpu.many.push((count / spread.cpuMs) * 1000);
    }
    log(
      `commands: one stream ${single.rate.toFixed(0)}/s (cpu ${single.cpuMs?.toFixed(0)} ms), ` +
        `${accounts} streams ${spread.rate.toFixed(0)}/s (cpu ${spread.cpuMs?.toFixed(0)} ms)`,
    );
  }
  const oneRate = median(one);
  const manyRate = median(many);
  return [
    {
      measure: `replay ${count} commands: 1 stream (ours) vs ${accounts} streams (raw)`,
      unit: 'cmd/s',
      ours: oneRate,
      raw: manyRate,
      target: {
        text: `≥ ${RATIO_TARGET * 100}%, both ≥ ${RATE_TARGET} cmd/s`,
        met: oneRate / manyRate >= RATIO_TARGET && Math.min(oneRate, manyRate) >= RATE_TARGET,
      },
      note:
        `\`eventlite replay FILE\` of the bank example, whole process on a fresh store, median of ` +
        `${config.commandRounds}; the "raw" column is the same replay spread over ${accounts} accounts. ` +
        `Each command is its own durable commit (fsync), which bounds the wall time on a busy disk; ` +
        `per CPU second of the process: ${cpuRates(cpu)}`,
    },
  ];
}
