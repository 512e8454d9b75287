import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { createJiti as CreateJiti } from 'jiti';
import { InputError, NotFoundError } from '../core/errors.js';
import { attachSourceHash } from '../core/source-hash.js';
import { loadErrorMessage } from './load-error.js';
import { moduleSourceHash } from './module-hash.js';
import { cachedTransform, defaultCacheDir, type Transform } from './transform-cache.js';
import { validateDomain, type LoadedDomain } from './validate.js';

const LOADABLE = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

export const NO_DOMAIN_MESSAGE =
  'no domain module: give --domain or create eventlite.config.ts (see eventlite init --example bank)';

/**
 * Loads and validates a user's domain module. TypeScript and JavaScript alike go through jiti:
 * it compiles TS on the fly with the right line numbers in stack traces, and it lets
 * `import ... from 'eventlite'` resolve in a folder with no node_modules (see below).
 * The returned domain carries the hash of the module's source files (see module-hash.ts).
 */
export async function loadDomain(
  path: string | undefined,
  cwd = process.cwd(),
  options: { cacheDir?: string } = {},
): Promise<LoadedDomain> {
  if (path === undefined) throw new InputError(NO_DOMAIN_MESSAGE);
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
  const loaded = await importModule(absolute, label, options.cacheDir ?? defaultCacheDir());
  const domain = validateDomain(defaultExport(loaded), label);
  attachSourceHash(domain, sourceHash);
  return domain;
}

const require = createRequire(import.meta.url);

// jiti is required, not imported: its CommonJS entry loads in half the time of its ES one.
// Both are loaded lazily: commands that need no domain never pay for them, nor for the
// TypeScript compiler, which jiti loads only to compile what the cache does not hold.
function jitiLoader(): { createJiti: typeof CreateJiti; transform: Transform; versions: string } {
  const entry = require.resolve('jiti');
  const { createJiti } = require(entry) as { createJiti: typeof CreateJiti };
  const root = join(dirname(entry), '..');
  const jitiVersion = (require(join(root, 'package.json')) as { version: string }).version;
  const ours = (require('../../package.json') as { version: string }).version;
  let babel: Transform | undefined;
  const transform: Transform = (options) => {
    babel ??= require(join(root, 'dist', 'babel.cjs')) as Transform;
    return babel(options);
  };
  return { createJiti, transform, versions: `eventlite ${ours}, jiti ${jitiVersion}` };
}

async function importModule(absolute: string, label: string, cacheDir: string): Promise<unknown> {
  const library = await import('../index.js');
  const { createJiti, transform, versions } = jitiLoader();
  const jiti = createJiti(import.meta.url, {
    // Compiled code is cached by content in the user's cache folder (see transform-cache.ts),
    // in place of jiti's own cache, which is written in place and keyed by path.
    fsCache: false,
    transform: cachedTransform(transform, cacheDir, versions),
    // The user's `import { defineDomain, reject } from 'eventlite'` gets this very module
    // instance, so `instanceof DomainRejection` holds across the boundary.
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
      const source = await readFile(absolute, 'utf8');
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

function defaultExport(loaded: unknown): unknown {
  if (loaded !== null && typeof loaded === 'object' && 'default' in loaded) {
    return (loaded as { default: unknown }).default;
  }
  return undefined;
}
