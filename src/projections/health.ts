import { headPosition, type Check, type Db } from '../store/index.js';
import { hasProjectionTables, openReadOnlyIfExists } from './read-only.js';
import { readProjectionRows } from './registry.js';

export interface RecordedLag {
  name: string;
  version: number;
  /** As recorded: 'ok' or 'failed' (staleness needs the domain module; `projections` shows it). */
  status: string;
  checkpoint: number;
  lag: number;
}

/**
 * What the read database records about each projection, for `status` and `verify`: no domain
 * module needed. Undefined when there is no read database (or no projection has run in it).
 */
function withRecordedRows<T>(
  readDbPath: string,
  work: (rows: ReturnType<typeof readProjectionRows>) => T,
): T | undefined {
  const read = openReadOnlyIfExists(readDbPath);
  if (!read) return undefined;
  try {
    return hasProjectionTables(read) ? work(readProjectionRows(read)) : undefined;
  } finally {
    read.close();
  }
}

export function recordedLag(store: Db, readDbPath: string): RecordedLag[] | undefined {
  const head = headPosition(store);
  return withRecordedRows(readDbPath, (rows) =>
    [...rows.values()].map((row) => ({
      name: row.name,
      version: row.version,
      status: row.status,
      checkpoint: row.checkpoint,
      lag: Math.max(head - row.checkpoint, 0),
    })),
  );
}

/** A checkpoint past the head means the read models were built from another store. */
export function checkCheckpoints(store: Db, readDbPath: string): Check | undefined {
  const head = headPosition(store);
  return withRecordedRows(readDbPath, (rows) => {
    const ahead = [...rows.values()].filter((row) => row.checkpoint > head);
    return {
      name: 'checkpoints not past the head',
      ok: ahead.length === 0,
      detail:
        ahead.length === 0
          ? `${rows.size} projection checkpoint${rows.size === 1 ? '' : 's'} at or before ${head}`
          : ahead.map((row) => `"${row.name}" is at ${row.checkpoint}, head is ${head}`).join('; '),
    };
  });
}
