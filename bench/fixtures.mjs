// Input files and stores the measures share. The big ones are cached under .bench/, named by
// schema and data tags, and written under a temporary name first so a failed build is never
// mistaken for a finished one.
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';
import { bankEvents, DATA_VERSION, toExportLine } from './events.mjs';
import { removeDatabase, scratchPath } from './paths.mjs';
import { createRawStore, rawInserter, schemaTag } from './raw-store.mjs';

const BUILD_BATCH = 50_000;

/** An NDJSON export of `count` events over `streams` streams, as `eventlite export` writes. */
export function exportFile(count, streams, log) {
  const path = scratchPath(`export-${schemaTag(DATA_VERSION)}-${count}x${streams}.ndjson`);
  if (existsSync(path)) return path;
  const started = performance.now();
  const lines = [];
  for (const event of bankEvents(count, streams)) lines.push(toExportLine(event));
  writeFileSync(`${path}.tmp`, `${lines.join('\n')}\n`);
  renameSync(`${path}.tmp`, path);
  log(`wrote ${count} events to ${path} in ${seconds(started)}`);
  return path;
}

/** A store holding `count` events, built with raw inserts, then checked by eventlite. */
export async function logStore(count, streams, log) {
  const path = scratchPath(`log-${schemaTag(DATA_VERSION)}-${count}x${streams}.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building`;
  const started = performance.now();
  const db = createRawStore(building);
  const insert = rawInserter(db);
  const insertBatch = db.transaction((events) => {
    for (const e of events) {
      insert(e);
    }
  });
  let batch = [];
  for (const event of bankEvents(count, streams)) {
    batch.push(event);
    if (batch.length === BUILD_BATCH) {
      insertBatch(batch);
      batch = [];
    }
  }
  insertBatch(batch);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  removeDatabase(path);
  renameSync(building, path);
  rmSync(`${building}-wal`, { force: true });
  rmSync(`${building}-shm`, { force: true });
  await checkStore(path, count);
  log(`built and verified a ${count}-event store at ${path} in ${seconds(started)}`);
  return path;
}

async function checkStore(path, count) {
  const store = openSqliteEventStore(path);
  try {
    const counts = await store.counts();
    const failed = (await store.verify()).filter((check) => !check.ok);
    if (counts.head !== count || counts.events !== count || failed.length > 0) {
      removeDatabase(path);
      const problems = failed.map((check) => `${check.name}: ${check.detail}`).join('; ');
      throw new Error(`bench store ${path} is not as built: ${JSON.stringify(counts)} ${problems}`);
    }
  } finally {
    await store.close();
  }
}

/** A small store for start-up timing: a few streams of a few events. */
export async function smallStore() {
  const path = scratchPath('startup.db');
  removeDatabase(path);
  const store = openSqliteEventStore(path, { create: true });
  try {
    for (let account = 0; account < 5; account += 1) {
      const events = [1, 2, 3, 4].map((amount) => ({
        type: 'MoneyDeposited',
        data: { accountId: `a${account}`, amount, balance: amount },
      }));
      await store.append(`account-a${account}`, events);
    }
  } finally {
    await store.close();
  }
  return path;
}

export function seconds(started) {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
