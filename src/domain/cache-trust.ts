import { mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// The compile cache holds code that runs as whoever runs eventlite: anyone who can write a
// file there, or swap the folder for one of their own, runs their code as this user. So the
// cache is used only where nobody else can write, as ssh (StrictModes) and git
// (safe.directory) judge their files: the folder and what it holds must belong to this user
// and be writable by no one else; each folder above it must belong to this user or root and
// be writable by no one else, unless it is sticky like /tmp (where no one can rename what is
// not theirs). Where that fails the cache is not used at all, with a warning, as pip does
// with a cache folder it does not own: the cost is a compile, never someone else's code.

/** Permission bits: writable by the group or by others. */
const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/**
 * Why code in `folder` cannot be trusted to run as this user, or undefined when it can. The
 * folder is made (private) when it is missing; the sub-folders named are checked like it when
 * they exist. Undefined too where there are no owners to compare (Windows).
 */
export function untrustedCacheReason(
  folder: string,
  subfolders: readonly string[],
): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch {
    // Not made: nothing can be read from it, and writes into it will fail quietly.
    return undefined;
  }
  const absolute = resolve(folder);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    return undefined;
  }
  // The path as given and the path it leads to: a link on the way is judged by the folder
  // that holds it (who may replace it) and by where it leads.
  for (const path of new Set([absolute, real])) {
    const reason = untrustedFolderReason(path, uid, true) ?? untrustedAncestorReason(path, uid);
    if (reason !== undefined) return reason;
  }
  for (const name of subfolders) {
    const reason = untrustedFolderReason(join(real, name), uid, false);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Whether a file (an entry read from the cache) belongs to this user and no one else writes it. */
export function isTrustedEntry(stats: Stats): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return true;
  return stats.isFile() && stats.uid === uid && (stats.mode & WRITABLE_BY_OTHERS) === 0;
}

function untrustedFolderReason(path: string, uid: number, mustExist: boolean): string | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return mustExist ? `${path} cannot be read` : undefined;
  }
  if (!stats.isDirectory()) return `${path} is not a folder`;
  if (stats.uid !== uid) return `${path} belongs to uid ${stats.uid}, not to you (uid ${uid})`;
  if ((stats.mode & WRITABLE_BY_OTHERS) !== 0) {
    return `${path} is writable by others (mode ${modeText(stats)})`;
  }
  return undefined;
}

function untrustedAncestorReason(path: string, uid: number): string | undefined {
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    let stats: Stats;
    try {
      stats = statSync(folder);
    } catch {
      return `${folder} cannot be read`;
    }
    if (stats.uid !== uid && stats.uid !== 0) {
      return `${folder}, a folder above it, belongs to uid ${stats.uid}, neither you nor root`;
    }
    if ((stats.mode & WRITABLE_BY_OTHERS) !== 0 && (stats.mode & STICKY) === 0) {
      return `${folder}, a folder above it, is writable by others (mode ${modeText(stats)})`;
    }
    if (dirname(folder) === folder) return undefined;
  }
}

function modeText(stats: Stats): string {
  return (stats.mode & 0o7777).toString(8).padStart(4, '0');
}
