// --backend postgres, import scaling: `eventlite --db URL import FILE`, a whole process, beside
// the raw program (raw-pg-import-child.mjs: a plain one-transaction import of the same file
// with `pg`), at two sizes four times apart with streams of 100 events, each into a fresh,
// empty store created beforehand (untimed, for both). The rate at the larger size must stay
// within 20% of the smaller one's: nothing per batch may grow with the table.
import { join } from 'node:path';
import { checkStore, createStore } from './backend-stores.mjs';
import { rounds } from './backend-import.mjs';
import { runNode } from './child.mjs';
import { FULL_LOG_EVENTS } from './config.mjs';
import { exportFile } from './fixtures.mjs';
import { CLI, ROOT } from './paths.mjs';
import { median, perSecond } from './stats.mjs';

export const name = 'import-scaling';

const SIZES = [50_000, 200_000];
const EVENTS_PER_STREAM = 100;
const RAW_TARGET = 0.7;
const LINEAR_TARGET = 0.8;
const RAW_IMPORT = join(ROOT, 'bench', 'raw-pg-import-child.mjs');

export async function run(config, log, { cluster }) {
  const scale = config.logEvents / FULL_LOG_EVENTS;
  const sizes = SIZES.map((size) => Math.max(1_000, Math.round(size * scale)));
  const rates = new Map(sizes.map((size) => [size, { raw: [], ours: [] }]));
  for (let round = 0; round < config.backendRounds; round += 1) {
    for (const size of sizes) {
      const file = exportFile(size, size / EVENTS_PER_STREAM, log);
      const into = async () => {
        const url = await cluster.freshDatabase('bench_import_scaling');
        await createStore(url);
        return url;
      };
      let url = await into();
      const raw = runNode([RAW_IMPORT, url, file]);
      await checkStore(url, { events: size }, `raw import of ${size}`);
      url = await into();
      const ours = runNode([CLI, '--db', url, '--quiet', 'import', file]);
      await checkStore(url, { events: size, verify: true }, `eventlite import of ${size}`);
      rates.get(size).raw.push(perSecond(size, raw.ms));
      rates.get(size).ours.push(perSecond(size, ours.ms));
      log(`import ${size}: raw ${Math.round(raw.ms)} ms, eventlite ${Math.round(ours.ms)} ms`);
    }
  }
  await cluster.dropDatabase('bench_import_scaling');

  const of = rounds(config.backendRounds);
  const rate = (size, key) => median(rates.get(size)[key]);
  const rows = sizes.map((size) => ({
    measure: `import ${size} events (${size / EVENTS_PER_STREAM} streams of ${EVENTS_PER_STREAM}), CLI`,
    unit: 'ev/s',
    ours: rate(size, 'ours'),
    raw: rate(size, 'raw'),
    target: {
      text: `≥ ${RAW_TARGET * 100}%`,
      met: rate(size, 'ours') / rate(size, 'raw') >= RAW_TARGET,
    },
    note: `wall time of the whole process into an empty store${of}; raw: a plain one-transaction import of the same file`,
  }));
  const [small, large] = sizes;
  rows.push({
    measure: `import rate at ${large} (ours) vs at ${small} events (raw)`,
    unit: 'ev/s',
    ours: rate(large, 'ours'),
    raw: rate(small, 'ours'),
    target: {
      text: `≥ ${LINEAR_TARGET * 100}%`,
      met: rate(large, 'ours') / rate(small, 'ours') >= LINEAR_TARGET,
    },
    note: `eventlite against itself: linear means the same rate at four times the size (the raw program: ${Math.round(rate(small, 'raw'))} and ${Math.round(rate(large, 'raw'))} ev/s)`,
  });
  return rows;
}
