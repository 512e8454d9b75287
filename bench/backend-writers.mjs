// --backend postgres, writers: eventlite's appends and `exec --file` at 1, 4 and 8 writer
// processes beside the raw program (raw-pg-append-child.mjs: one autocommitted statement that
// bumps the head row and inserts), measured in the same run on the same durable cluster, each
// run on a fresh store. Appends carry the expected version, as a command's do.
import { join } from 'node:path';
import { checkStore, createStore } from './backend-stores.mjs';
import { rounds } from './backend-import.mjs';
import { CLI, ROOT } from './paths.mjs';
import { raceAppenders, raceExecFiles } from './racers.mjs';
import { median } from './stats.mjs';

export const name = 'writers';

const WRITERS = [1, 4, 8];
const APPEND_TARGET = 0.8;
const EXEC_TARGET = 0.5;
const STREAMS_PER_WRITER = 13;
const APPEND_CHILD = join(ROOT, 'bench', 'append-child.mjs');
const RAW_APPEND_CHILD = join(ROOT, 'bench', 'raw-pg-append-child.mjs');
const DOMAIN = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');

export async function run(config, log, { cluster }) {
  const total = config.appends;
  const rates = new Map(WRITERS.map((writers) => [writers, { raw: [], ours: [], exec: [] }]));
  for (let round = 0; round < config.backendRounds; round += 1) {
    for (const writers of WRITERS) {
      const perWriter = Math.max(1, Math.round(total / writers));
      const measured = rates.get(writers);
      const args = (index) => [`w${index}-`, String(perWriter), String(STREAMS_PER_WRITER)];
      const events = perWriter * writers;
      const fresh = async () => {
        const url = await cluster.freshDatabase('bench_writers');
        await createStore(url);
        return url;
      };

      let url = await fresh();
      const raw = await raceAppenders(RAW_APPEND_CHILD, writers, (i) => [url, ...args(i)]);
      await checkStore(url, { events, verify: true }, `raw appends, ${writers} writers`);
      measured.raw.push(raw.total);

      url = await fresh();
      const ours = await raceAppenders(APPEND_CHILD, writers, (i) => [url, ...args(i), 'expected']);
      await checkStore(url, { events, verify: true }, `store.append, ${writers} writers`);
      measured.ours.push(ours.total);

      url = await fresh();
      const cli = [CLI, '--db', url, '--domain', DOMAIN];
      const exec = await raceExecFiles(
        cli,
        writers,
        (index) => command('OpenAccount', { accountId: `w${index}-warm-up`, owner: 'Bench' }),
        (index) => bankCommands(`w${index}-`, perWriter - 1),
      );
      await checkStore(url, { events, verify: true }, `exec --file, ${writers} writers`);
      measured.exec.push(exec.total);
      log(
        `writers ${writers}: raw ${Math.round(raw.total)} ev/s, store.append ` +
          `${Math.round(ours.total)} ev/s (${ours.busy} StoreBusyError retried), exec --file ` +
          `${Math.round(exec.total)} cmd/s`,
      );
    }
  }
  await cluster.dropDatabase('bench_writers');

  const of = rounds(config.backendRounds);
  const rows = [];
  for (const writers of WRITERS) {
    const { raw, ours, exec } = rates.get(writers);
    const each = Math.round(total / writers);
    rows.push(
      {
        measure: `append 1 event with expected version, ${writers} writer process${writers > 1 ? 'es' : ''} x ${each}`,
        unit: 'ev/s',
        ours: median(ours),
        raw: median(raw),
        target: atLeast(median(ours) / median(raw), APPEND_TARGET),
        note: `store.append vs the raw one-statement append${of}, from "go" to the last one done`,
      },
      {
        measure: `exec --file (bank commands), ${writers} writer process${writers > 1 ? 'es' : ''} x ${each}`,
        unit: 'ev/s',
        ours: median(exec),
        raw: median(raw),
        target: atLeast(median(exec) / median(raw), EXEC_TARGET),
        note: `\`eventlite exec --file -\`, one event per command, vs the raw appends${of}; each process warmed up by its first command`,
      },
    );
  }
  const last = WRITERS.at(-1);
  for (const [label, key] of [
    ['store.append', 'ours'],
    ['exec --file', 'exec'],
  ]) {
    const many = median(rates.get(last)[key]);
    const one = median(rates.get(1)[key]);
    rows.push({
      measure: `${label}: ${last} writers vs 1 writer, both eventlite`,
      unit: 'ev/s',
      ours: many,
      raw: one,
      target: atLeast(many / one, 1),
      note: `eventlite against itself: ${last} processes together against one alone`,
    });
  }
  return rows;
}

function atLeast(ratio, target) {
  return { text: `≥ ${Math.round(target * 100)}%`, met: ratio >= target };
}

function command(type, data) {
  return JSON.stringify({ command: type, data });
}

/** `count` bank commands over this writer's own accounts: each opened once, then deposits. */
function bankCommands(prefix, count) {
  const lines = [];
  for (let index = 0; index < count; index += 1) {
    const account = `${prefix}a${index % STREAMS_PER_WRITER}`;
    lines.push(
      index < STREAMS_PER_WRITER
        ? command('OpenAccount', { accountId: account, owner: 'Bench' })
        : command('Deposit', { accountId: account, amount: 1 + (index % 500) }),
    );
  }
  return lines;
}
