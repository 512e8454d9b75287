import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileChangeWatch } from '../../src/store/sqlite/watch.js';
import { tempDir } from '../helpers/cli.js';

// A commit in WAL mode writes its frames to the -wal file before it publishes them in the
// memory-mapped -shm index, which no file watch sees: a follower woken by the write may look
// before the commit is visible. The watch must wake it again shortly after, on its own.

let folder: ReturnType<typeof tempDir>;
let watch: FileChangeWatch;

beforeEach(() => {
  folder = tempDir();
  // Made before the watch: each test's write is then one change event, not a creation too.
  writeFileSync(join(folder.dir, 'store.db-wal'), '');
  watch = new FileChangeWatch(join(folder.dir, 'store.db'));
});
afterEach(async () => {
  await watch.close();
  folder.cleanup();
});

it('wakes on a write to the -wal file, and again after it without another write', async () => {
  const woken = watch.next(60_000);
  appendFileSync(join(folder.dir, 'store.db-wal'), 'frame');
  await woken;
  // No further write: only the watch's own wake after the write can end this wait early.
  let settled = false;
  await Promise.race([
    watch.next(60_000).then(() => (settled = true)),
    new Promise((resolve) => setTimeout(resolve, 5_000)),
  ]);
  expect(settled).toBe(true);
});

it('stops waking once the write has settled, and ignores the folder’s other files', async () => {
  appendFileSync(join(folder.dir, 'store.db-wal'), 'frame');
  await watch.next(60_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await watch.next(0); // what the settling wakes left pending
  appendFileSync(join(folder.dir, 'other.db-wal'), 'frame');
  const started = Date.now();
  await watch.next(300);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
});
