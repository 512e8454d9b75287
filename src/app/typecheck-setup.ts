import { symlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryKind, makeFoldersTo, writeOwnFile } from './scaffold-paths.js';

// What makes `tsc --noEmit` pass in a scaffolded folder as it stands. The module imports
// 'eventlite', which the loader provides at run time; the compiler needs to find it too.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    // Resolves 'eventlite' through its package.json exports, to its type declarations.
    moduleResolution: 'Bundler',
    lib: ['ES2023'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['**/*.ts', '**/*.mts'],
  exclude: ['node_modules'],
};

// This package's folder, what node_modules/eventlite points at: from dist/app/ (or src/app/
// under the tests) two folders up.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TSCONFIG_FILE = 'tsconfig.json';
const EVENTLITE_LINK = join('node_modules', 'eventlite');

/**
 * What makes the folder type-check: a tsconfig.json and node_modules/eventlite linked to this
 * package, as `npm link` would, each unless the folder has its own already (a project that
 * installed eventlite keeps its install; a tsconfig.json that is a link counts as its own).
 */
export function typeCheckSetupPaths(target: string): string[] {
  return [TSCONFIG_FILE, EVENTLITE_LINK].filter((path) => entryKind(join(target, path)) === 'none');
}

/** Writes what typeCheckSetupPaths found missing; returns what it wrote. */
export function writeTypeCheckSetup(target: string, missing: readonly string[]): string[] {
  if (missing.includes(TSCONFIG_FILE)) {
    writeOwnFile(join(target, TSCONFIG_FILE), `${JSON.stringify(TSCONFIG, null, 2)}\n`, false);
  }
  if (missing.includes(EVENTLITE_LINK)) {
    makeFoldersTo(target, EVENTLITE_LINK);
    // A junction on Windows needs no privileges; elsewhere the type is ignored.
    symlinkSync(PACKAGE_ROOT, join(target, EVENTLITE_LINK), 'junction');
  }
  return missing.map((path) => path.split(sep).join('/'));
}
