import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// A rebuild builds its tables in a scratch SQLite file beside the read database, named after
// the projection and the building process, so a rebuild killed half-way leaves a file that the
// next rebuild recognises as abandoned (its process is gone) and removes.

export function scratchPath(readDbPath: string, projection: string, pid: number): string {
  return `${readDbPath}.rebuild-${safeName(projection)}-${pid}.tmp`;
}

export function removeScratch(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm'])
    rmSync(`${path}${suffix}`, { force: true });
}

/** Removes scratch files whose rebuild process no longer runs. */
export function removeAbandonedScratch(readDbPath: string): void {
  const folder = dirname(readDbPath);
  if (!existsSync(folder)) return;
  const prefix = `${basename(readDbPath)}.rebuild-`;
  for (const file of readdirSync(folder)) {
    const match = /-(\d+)\.tmp$/.exec(file);
    if (!file.startsWith(prefix) || !match || isAlive(Number(match[1]))) continue;
    removeScratch(join(folder, file));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}
