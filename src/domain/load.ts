import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { createJiti as CreateJiti } from 'jiti';
import type { Domain } from '../core/domain.js';
import { InputError, NotFoundError } from '../core/errors.js';
import { attachSourceHash } from '../core/source-hash.js';
import { loadErrorMessage } from './load-error.js';
import { NoDomainError } from './no-domain.js';
import { moduleSourceHash } from './module-hash.js';
import {
  cacheFolderProblem,
  cachedTransform,
  compiledModule,
  type Transform,
} from './transform-cache.js';
import { validateDomain } from './validate.js';

const LOADABLE = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

export { NO_DOMAIN_MESSAGE } from './no-domain.js';

export interface LoadOptions {
  /** What the module's `import … from 'eventlite'` gets: the authoring API. */
  eventlite: object;
  /** Where compiled code is kept (see transform-cache.ts). */
  cacheDir: string;
  /** Told what the user should know but that does not stop the load (an unsafe cache). */
  onWarning?: (text: string) => void;
  /** False: use compiled code kept there, but keep none (shell completion writes nothing). */
  writeCache?: boolean;
}

/**
 * Loads and validates a user's domain module. TypeScript and JavaScript alike go through jiti:
 * it compiles TS on the fly with the right line numbers in stack traces, and it lets
 * `import ... from 'eventlite'` resolve in a folder with no node_modules (see below) to the
 * very module the caller passes, so `instanceof DomainRejection` holds across the boundary.
 * The returned domain carries the hash of the module's source files (see module-hash.ts).
 */
export async function loadDomainModule(
  path: string | undefined,
  cwd: string,
  options: LoadOptions,
): Promise<Domain> {
  if (path === undefined) throw new NoDomainError();
  const absolute = resolve(cwd, path);
  const label = relative(cwd, absolute) || path;
  if (!existsSync(absolute)) throw new NotFoundError(`no such domain module: ${path}`);
  if (statSync(absolute).isDirectory())
    throw new InputError(`${path} is a folder, not a domain module`);
  if (!LOADABLE.includes(extname(absolute))) {
    throw new InputError(`${label}: a domain module must be one of ${LOADABLE.join(' ')}`);
  }
  // Hashed before the import: a file edited in between then makes the next run rebuild, where
  // hashing after it could record new source for rows that the old code wrote.
  const sourceHash = moduleSourceHash(absolute);
  // Completion (writeCache false) must not even make the folder: a missing cache is no cache.
  const cacheDir =
    options.writeCache === false && !existsSync(options.cacheDir) ? undefined : options.cacheDir;
  const problem = cacheDir === undefined ? undefined : cacheFolderProblem(cacheDir);
  if (problem !== undefined) {
    options.onWarning?.(
      `not using the compile cache ${cacheDir}: ${problem}; the domain module is compiled afresh on each run until that is fixed (or EVENTLITE_CACHE_DIR names a folder of your own)`,
    );
  }
  const loaded = await importModule(
    absolute,
    label,
    options.eventlite,
    problem === undefined ? cacheDir : undefined,
    options.writeCache !== false,
  );
  const domain = validateDomain(defaultExport(loaded), label);
  attachSourceHash(domain, sourceHash);
  return domain;
}

const require = createRequire(import.meta.url);

/**
 * What enters every key of the transform cache: eventlite's version and jiti's, as pinned in
 * eventlite's package.json (exactly, so it is the one installed), read without loading jiti.
 */
function cacheVersions(): string {
  const ours = require('../../package.json') as {
    version: string;
    dependencies: Record<string, string>;
  };
  return `eventlite ${ours.version}, jiti ${ours.dependencies.jiti}`;
}

// jiti is required, not imported: its CommonJS entry loads faster than its ES one.
// Both are loaded lazily: commands that need no domain never pay for them, nor for the
// TypeScript compiler, which jiti loads only to compile what the cache does not hold.
function jitiLoader(): { createJiti: typeof CreateJiti; transform: Transform } {
  const entry = require.resolve('jiti');
  const { createJiti } = require(entry) as { createJiti: typeof CreateJiti };
  const root = join(dirname(entry), '..');
  let babel: Transform | undefined;
  const transform: Transform = (options) => {
    babel ??= require(join(root, 'dist', 'babel.cjs')) as Transform;
    return babel(options);
  };
  return { createJiti, transform };
}

/** The module's exports; `cacheDir` undefined: no cache is read or written. */
async function importModule(
  absolute: string,
  label: string,
  library: object,
  cacheDir: string | undefined,
  writeCache: boolean,
): Promise<unknown> {
  const versions = cacheVersions();
  try {
    const compiled = cacheDir && (await runCompiled(absolute, cacheDir, versions, library));
    if (compiled) return compiled.exports;
  } catch (error) {
    const exported = Object.keys(library).filter((name) => name !== 'default');
    throw new InputError(loadErrorMessage(error, absolute, label, exported));
  }
  const { createJiti, transform } = jitiLoader();
  const jiti = createJiti(import.meta.url, {
    // Compiled code is cached by content in the user's cache folder (see transform-cache.ts),
    // in place of jiti's own cache, which is written in place and keyed by path.
    fsCache: false,
    transform: cacheDir
      ? cachedTransform(transform, cacheDir, versions, { write: writeCache })
      : transform,
    // The user's `import { defineDomain, reject } from 'eventlite'` gets the caller's module.
    virtualModules: { eventlite: library },
    interopDefault: false,
    sourceMaps: true,
    // Each load evaluates the files as they are now, as the source hash describes them: a
    // program (or a test) that loads a module again after an edit gets the edit.
    moduleCache: false,
  });
  try {
    // A JavaScript ES module would go to Node's own import(), whose cache no load can clear:
    // evaluated through jiti instead, an edited module is seen by the next load.
    if (['.js', '.mjs'].includes(extname(absolute))) {
      const source = readFileSync(absolute, 'utf8');
      return await jiti.evalModule(source, {
        filename: absolute,
        async: true,
        forceTranspile: true,
      });
    }
    return await jiti.import(absolute);
  } catch (error) {
    const exported = Object.keys(library).filter((name) => name !== 'default');
    throw new InputError(loadErrorMessage(error, absolute, label, exported));
  }
}

// What jiti's compiled code may call on to load something: any of these but
// `jitiImport("eventlite")` needs jiti itself.
const LOADER_HOOKS = /\b(?:jitiImport|jitiESMResolve|require|__jiti\w*)\b|import\.meta/g;

/**
 * Runs the module as jiti runs it, from the code jiti compiled from this very source when it
 * last imported the file (the transform cache keeps it), without loading jiti, which
 * `exec` and `state` would otherwise load on every run (bench/README.md has what it saves). Only a module that imports nothing
 * but eventlite: anything else it imports, jiti resolves and compiles. Undefined when this
 * cannot be done; the module has not run then.
 */
async function runCompiled(
  absolute: string,
  cacheDir: string,
  versions: string,
  library: object,
): Promise<{ exports: unknown } | undefined> {
  const source = readFileSync(absolute, 'utf8');
  const code = compiledModule(cacheDir, versions, absolute, source);
  if (code === undefined) return undefined;
  for (const hook of code.matchAll(LOADER_HOOKS)) {
    if (!code.startsWith('jitiImport("eventlite")', hook.index)) return undefined;
  }
  const { runInThisContext } = require('node:vm') as typeof import('node:vm');
  // The function jiti wraps a module in, compiled under the file's name, as jiti does: stack
  // traces read the same either way.
  const run = runInThisContext(
    `(async function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { ${code}\n});`,
    { filename: absolute, lineOffset: 0, displayErrors: false },
  ) as (...args: unknown[]) => Promise<void>;
  const module = { exports: {} as unknown, filename: absolute, id: absolute, loaded: false };
  const unreachable = (id: string) => {
    throw new Error(`${id}: not loadable here`);
  };
  const importEventlite = async (id: string) => (id === 'eventlite' ? library : unreachable(id));
  await run(
    module.exports,
    unreachable,
    module,
    absolute,
    dirname(absolute),
    importEventlite,
    unreachable,
  );
  module.loaded = true;
  return module;
}

function defaultExport(loaded: unknown): unknown {
  if (loaded !== null && typeof loaded === 'object' && 'default' in loaded) {
    return (loaded as { default: unknown }).default;
  }
  return undefined;
}
