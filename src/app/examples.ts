import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';

export const EXAMPLES = ['bank', 'orders'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

// The examples ship in the package's fixtures folder: from dist/app/ (or src/app/ under
// the tests) that is two folders up.
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/**
 * Copies an example's domain module, scenario and specs into `target`. Refuses, before writing
 * anything, when one of the files is there already, unless `force`. Returns the paths written,
 * relative to `target`.
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
  const existing = files.filter((file) => existsSync(join(target, file)));
  if (existing.length > 0 && !options.force) {
    throw new InputError(`refusing to overwrite ${existing.join(', ')} (use --force)`);
  }
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(source, file), join(target, file));
  }
  return [...files, ...typeCheckSetup(target)];
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
 * Writes a tsconfig.json and links node_modules/eventlite to this package, as `npm link` would,
 * unless the folder has its own already (a project that installed eventlite keeps its install).
 * Returns what it wrote.
 */
function typeCheckSetup(target: string): string[] {
  const written: string[] = [];
  if (!existsSync(join(target, 'tsconfig.json'))) {
    writeFileSync(join(target, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    written.push('tsconfig.json');
  }
  const link = join(target, 'node_modules', 'eventlite');
  if (!pathExists(link)) {
    mkdirSync(dirname(link), { recursive: true });
    // A junction on Windows needs no privileges; elsewhere the type is ignored.
    symlinkSync(PACKAGE_ROOT, link, 'junction');
    written.push('node_modules/eventlite');
  }
  return written;
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
