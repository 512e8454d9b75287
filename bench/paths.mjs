import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const CLI = join(ROOT, 'bin', 'eventlite.js');
/** Gitignored scratch space; the cached log store survives between runs. */
export const SCRATCH = join(ROOT, '.bench');
/** Preloaded into a child to record its peak RSS and CPU time (see rss-preload.cjs). */
export const RSS_PRELOAD = join(ROOT, 'bench', 'rss-preload.cjs');
export const RAW_LOG_READER = join(ROOT, 'bench', 'raw-log-reader.mjs');
export const RAW_IMPORT_CHILD = join(ROOT, 'bench', 'raw-import-child.mjs');
export const RAW_PROJECTION_CHILD = join(ROOT, 'bench', 'raw-projection-child.mjs');

export function scratchPath(name) {
  mkdirSync(SCRATCH, { recursive: true });
  return join(SCRATCH, name);
}

/** Removes a SQLite file with its WAL and shared-memory companions. */
export function removeDatabase(path) {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
