import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import { entryKind, makeFoldersTo, refuseLinksOnTheWay, writeOwnFile } from './scaffold-paths.js';

export const EXAMPLES = ['bank', 'orders'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

// The examples ship in the package's fixtures folder: from dist/app/ (or src/app/ under
// the tests) that is two folders up.
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/**
 * Copies an example's domain module, scenario and specs into `target`. Refuses, before writing
 * anything, when one of the files is there already, unless `force`, and when a symbolic link
 * stands where it would write (see scaffold-paths.ts). Returns the paths written, relative to
 * `target`.
 */
export function scaffoldExample(
  name: string,
  target: string,
  options: { force: boolean },
): string[] {
  if (!(EXAMPLES as readonly string[]).includes(name)) {
    throw new InputError(`--example must be one of ${EXAMPLES.join(', ')}, got "${name}"`);
  }
  const source = join(FIXTURES, name);
  const files = readdirSync(source, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(source, join(entry.parentPath, entry.name)))
    .sort();
  const setup = typeCheckSetupPaths(target);
  // Links first, whatever --force says: it replaces files, never what a link points at.
  refuseLinksOnTheWay(target, [...files, ...setup]);
  const existing = files.filter((file) => entryKind(join(target, file)) !== 'none');
  if (existing.length > 0 && !options.force) {
    throw new InputError(`refusing to overwrite ${existing.join(', ')} (use --force)`);
  }
  for (const file of files) {
    makeFoldersTo(target, file);
    const replace = existing.includes(file);
    writeOwnFile(join(target, file), readFileSync(join(source, file)), replace);
  }
  return [...files, ...writeTypeCheckSetup(target, setup)];
}

// What makes `tsc --noEmit` pass in the scaffolded folder as it stands. The module imports
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

/** This package's folder: what `node_modules/eventlite` points at. */
const PACKAGE_ROOT = join(FIXTURES, '..');

/**
 * What makes the folder type-check: a tsconfig.json and node_modules/eventlite linked to this
 * package, as `npm link` would, each unless the folder has its own already (a project that
 * installed eventlite keeps its install; a tsconfig.json that is a link counts as its own).
 */
function typeCheckSetupPaths(target: string): string[] {
  return [TSCONFIG_FILE, EVENTLITE_LINK].filter((path) => entryKind(join(target, path)) === 'none');
}

const TSCONFIG_FILE = 'tsconfig.json';
const EVENTLITE_LINK = join('node_modules', 'eventlite');

/** Writes what typeCheckSetupPaths found missing; returns what it wrote. */
function writeTypeCheckSetup(target: string, missing: readonly string[]): string[] {
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
