import { closeSync, constants, lstatSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { InputError } from '../core/errors.js';

// What a scaffold writes into the user's folder, it writes there and nowhere else: a symbolic
// link on the way (a dangling `eventlite.config.ts`, a `specs` pointing at another folder)
// would carry the write into whatever it names. Every path is looked at with lstat before
// anything is written, and each file is then opened so that the open itself cannot follow a
// link planted in between (O_EXCL for a new file, O_NOFOLLOW for one replaced with --force).

/** How a path under the target is found before writing: absent, a folder, a file, or a link. */
export function entryKind(path: string): 'none' | 'folder' | 'file' | 'link' {
  try {
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) return 'link';
    return stats.isDirectory() ? 'folder' : 'file';
  } catch {
    return 'none';
  }
}

/**
 * Refuses, before anything is written, when a path to be written (relative to `target`), or a
 * folder on the way to it, is a symbolic link, or a folder on the way is a file.
 */
export function refuseLinksOnTheWay(target: string, paths: readonly string[]): void {
  const links = new Set<string>();
  for (const path of paths) {
    const parts = path.split(/[\\/]/);
    for (let count = 1; count <= parts.length; count += 1) {
      const partial = parts.slice(0, count).join(sep);
      const kind = entryKind(join(target, partial));
      if (kind === 'link') links.add(partial);
      if (kind === 'file' && count < parts.length) {
        throw new InputError(`cannot write ${path}: ${partial} is a file, not a folder`);
      }
      if (kind !== 'folder') break;
    }
  }
  if (links.size > 0) {
    throw new InputError(
      `refusing to write through the symbolic link${links.size === 1 ? '' : 's'} ${[...links].join(', ')}: remove ${links.size === 1 ? 'it' : 'them'}, or scaffold in another folder`,
    );
  }
}

/** Creates the folders of `relative` under `target` one by one, never through a link. */
export function makeFoldersTo(target: string, relative: string): void {
  const parts = relative.split(/[\\/]/).slice(0, -1);
  for (let count = 1; count <= parts.length; count += 1) {
    const folder = join(target, ...parts.slice(0, count));
    if (entryKind(folder) === 'folder') continue;
    // Fails on anything there now (a link planted since the check included): nothing is
    // followed.
    mkdirSync(folder);
  }
}

/**
 * Writes `bytes` to a new file at `path`, or over the regular file there when `replace`:
 * never through a symbolic link, whenever it appeared.
 */
export function writeOwnFile(path: string, bytes: string | Buffer, replace: boolean): void {
  const flags = replace
    ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0)
    : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o666);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ELOOP') throw error;
    throw new InputError(`refusing to write ${path}: something appeared there while writing`);
  }
  try {
    writeFileSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
