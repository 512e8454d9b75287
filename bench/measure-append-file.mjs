// 6. `eventlite append STREAM --file F` with an id on every line, at n and 2n events, beside raw
// prepared INSERTs of the same rows in one transaction. Repeated ids used to be found by a
// search of the whole batch per id (n²: 200k events took over 11 minutes of CPU); the rate at
// 2n must stay close to the rate at n.
import { writeFileSync } from 'node:fs';
import { runNode } from './child.mjs';
import { uuidv7 } from './events.mjs';
import { CLI, removeDatabase, scratchPath } from './paths.mjs';
import { createRawStore, rawInserter } from './raw-store.mjs';
import { median, perSecond, time } from './stats.mjs';

/** Linear: doubling the batch keeps at least this share of the rate. */
const LINEAR = 0.7;

export const name = 'append-file';

export async function run(config, log) {
  const small = config.appendFileEvents;
  const rates = [];
  const rows = [];
  for (const count of [small, 2 * small]) {
    const lines = Array.from({ length: count }, (_, index) => ({
      type: 'MoneyDeposited',
      id: uuidv7(Date.UTC(2026, 0, 1) + index),
      data: { accountId: 'a1', amount: 1 + (index % 500) },
    }));
    const file = scratchPath(`append-file-${count}.ndjson`);
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const path = scratchPath('append-file.db');
    const oursMs = [];
    const cpuMs = [];
    const rawMs = [];
    for (let round = 0; round < Math.min(config.repeats, 3); round += 1) {
      removeDatabase(path);
      runNode([CLI, '--db', path, 'init']);
      const result = runNode(
        [CLI, '--db', path, '--quiet', 'append', 'account-a1', '--file', file],
        {
          rss: true,
        },
      );
      oursMs.push(result.ms);
      cpuMs.push(result.cpuMs);
      rawMs.push(rawAppend(path, lines));
    }
    removeDatabase(path);
    log(`append --file ${count}: CLI ${fmt(oursMs)} (cpu ${fmt(cpuMs)}), raw ${fmt(rawMs)} ms`);
    const ours = perSecond(count, median(oursMs));
    rates.push(ours);
    const row = {
      measure: `append --file ${count} events with ids, CLI`,
      unit: 'ev/s',
      ours,
      raw: perSecond(count, median(rawMs)),
      note: `wall time of the whole process; CPU ${Math.round(median(cpuMs))} ms`,
    };
    if (rates.length === 2) {
      row.target = {
        text: `linear: ≥ ${LINEAR * 100}% of the ${small}-event rate`,
        met: rates[1] / rates[0] >= LINEAR,
      };
    }
    rows.push(row);
  }
  return rows;
}

function rawAppend(path, lines) {
  const db = createRawStore(path);
  try {
    const insert = rawInserter(db);
    const recordedAt = new Date().toISOString();
    return time(() => {
      db.transaction(() => {
        lines.forEach((line, index) =>
          insert({ ...line, stream: 'account-a1', version: index + 1, metadata: {}, recordedAt }),
        );
      })();
    });
  } finally {
    db.close();
    removeDatabase(path);
  }
}

function fmt(values) {
  return values.map((value) => Math.round(value)).join('/');
}
