import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { isTrustedEntry, untrustedCacheReason } from './cache-trust.js';

// Compiling a TypeScript domain module (jiti's Babel transform) costs far more than a short
// command's whole start-up (bench/README.md has the figure); the
// compiled code of unchanged source is the same every time, so it is kept in a cache:
// - keyed by content: a hash of the source, the file name (it is in the source map), the
//   transform's options, and the versions of eventlite and jiti. An edited module, or a new
//   release, finds no entry and compiles afresh, so an entry is never stale;
// - written atomically (a temporary file, then a rename): two processes filling it at once
//   each rename a whole file over the other's identical one, and a reader never sees half;
// - checked on reading: an entry ends with the hash of the code before it, and one that does
//   not (truncated, overwritten, garbage) is ignored and compiled afresh.
// - trusted only where no one else can write (see cache-trust.ts): its code runs as the user.
// Any failure of the cache itself (a read-only folder, a full disk) only costs the compile.

/** What jiti hands its `transform` option (more options beside: all enter the key), and what that returns. */
export interface TransformOptions {
  source: string;
  filename?: string;
  /** Compiled to run in an async function (jiti's import()); such code is kept by file too. */
  async?: boolean;
}
export interface TransformResult {
  code: string;
  error?: unknown;
}
export type Transform = (options: TransformOptions) => TransformResult;

const TRAILER = '\n//eventlite-cache:';

/**
 * The user's cache folder for eventlite: `EVENTLITE_CACHE_DIR`, else `$XDG_CACHE_HOME/eventlite`,
 * else the platform's (`~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`).
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.EVENTLITE_CACHE_DIR) return env.EVENTLITE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'eventlite');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'eventlite');
  if (process.platform === 'win32' && env.LOCALAPPDATA) {
    return join(env.LOCALAPPDATA, 'eventlite', 'Cache');
  }
  return join(homedir(), '.cache', 'eventlite');
}

/**
 * Why the cache in `folder` must not be used (someone else could write code there), or
 * undefined when it may be; the folder is made, private, when it is missing.
 */
export function cacheFolderProblem(folder: string): string | undefined {
  return untrustedCacheReason(folder, [COMPILED, MODULES]);
}

const COMPILED = 'compiled';
const MODULES = 'modules';

/**
 * `transform`, with its results kept in `folder` (see above); `versions` enter every key.
 * With `write: false`, what is kept is used but nothing new is kept.
 */
export function cachedTransform(
  transform: Transform,
  folder: string,
  versions: string,
  options: { write?: boolean } = {},
): Transform {
  const keep = options.write === false ? () => {} : writeEntry;
  const dir = join(folder, COMPILED);
  return (options) => {
    const { source, ...rest } = options;
    const key = sha256(`${versions}\0${JSON.stringify(rest)}\0${source}`);
    const file = join(dir, `${key}.js`);
    let code = readEntry(file);
    if (code === undefined) {
      const result = transform(options);
      if (result.error !== undefined) return result;
      code = result.code;
      keep(dir, file, code);
    }
    // Also kept by file and source alone, for compiledModule: a module's code as jiti runs it.
    if (options.async === true && options.filename !== undefined) {
      const byFile = moduleFile(folder, versions, options.filename, source);
      if (readEntry(byFile) !== code) keep(dirname(byFile), byFile, code);
    }
    return { code };
  };
}

/**
 * The code jiti compiled from `source` when it last imported `filename`, if the cache holds
 * it (see cachedTransform): what load.ts runs without loading jiti when it can.
 */
export function compiledModule(
  folder: string,
  versions: string,
  filename: string,
  source: string,
): string | undefined {
  return readEntry(moduleFile(folder, versions, filename, source));
}

function moduleFile(folder: string, versions: string, filename: string, source: string): string {
  return join(folder, MODULES, `${sha256(`${versions}\0${filename}\0${source}`)}.js`);
}

function readEntry(file: string): string | undefined {
  let text: string;
  try {
    // Not through a link, and only a file of this user's that no one else may write: checked
    // on the open descriptor, so the file read is the file judged.
    const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      if (!isTrustedEntry(fstatSync(fd))) return undefined;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const at = text.lastIndexOf(TRAILER);
  if (at < 0) return undefined;
  const code = text.slice(0, at);
  return text.slice(at + TRAILER.length) === sha256(code) ? code : undefined;
}

function writeEntry(dir: string, file: string, code: string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${code}${TRAILER}${sha256(code)}`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is unusable: nothing was written.
    }
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
