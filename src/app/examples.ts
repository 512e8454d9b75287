import { readdirSync, readFileSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import { entryKind, makeFoldersTo, refuseLinksOnTheWay, writeOwnFile } from './scaffold-paths.js';
import { DEFAULT_SPEC_FOLDER, findSpecFiles } from './specs/find-specs.js';

export const EXAMPLES = ['bank', 'orders'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

// The examples ship in the package's fixtures folder: from dist/app/ (or src/app/ under
// the tests) that is two folders up.
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface Scaffolded {
  /** Paths written, relative to the folder. */
  written: string[];
  /** The examples' files that --force removed (as shipped), relative to the folder. */
  removed: { example: string; files: string[] }[];
  /** Spec files the folder holds beside those written: `eventlite test` runs them too. */
  otherSpecs: string[];
}

/**
 * Copies an example's domain module, scenario and specs into `target`. Refuses, before writing
 * anything, when one of its files is there already, or when another example's files are (they
 * would be left beside it: the other example's specs then fail `eventlite test`), unless
 * `force`, and when a symbolic link stands where it would write or remove (see
 * scaffold-paths.ts). With `force` it overwrites its own files and removes the other example's,
 * but only those still as shipped: a changed one may be someone's work, so it refuses and names
 * it.
 */
export function scaffoldExample(
  name: string,
  target: string,
  options: { force: boolean },
): Scaffolded {
  if (!(EXAMPLES as readonly string[]).includes(name)) {
    throw new InputError(`--example must be one of ${EXAMPLES.join(', ')}, got "${name}"`);
  }
  const source = join(FIXTURES, name);
  const files = exampleFiles(name);
  const setup = typeCheckSetupPaths(target);
  const others = otherExamplesFiles(name, target, files);
  // Links first, whatever --force says: it replaces files, never what a link points at.
  refuseLinksOnTheWay(target, [...files, ...setup, ...others.map((other) => other.file)]);
  const existing = files.filter((file) => entryKind(join(target, file)) !== 'none');
  if (!options.force && (existing.length > 0 || others.length > 0)) {
    const overwrite = existing.length > 0 ? `overwrite ${existing.join(', ')}` : '';
    const left = others.length > 0 ? `leave ${ofExamples(others)} beside it` : '';
    throw new InputError(
      `refusing to ${[overwrite, left].filter(Boolean).join(' or to ')} (use --force)`,
    );
  }
  const changed = others.filter((other) => !other.asShipped);
  if (changed.length > 0) {
    throw new InputError(
      `refusing to remove ${ofExamples(changed)}: changed since it was written; move it out of the way and run again`,
    );
  }
  for (const file of files) {
    makeFoldersTo(target, file);
    const replace = existing.includes(file);
    writeOwnFile(join(target, file), readFileSync(join(source, file)), replace);
  }
  for (const other of others) unlinkSync(join(target, other.file));
  return {
    written: [...files, ...writeTypeCheckSetup(target, setup)],
    removed: byExample(others).map(([example, names]) => ({ example, files: names })),
    otherSpecs: specsBeside(target, files),
  };
}

/** An example's files, relative to its folder, in order. */
function exampleFiles(name: string): string[] {
  const source = join(FIXTURES, name);
  return readdirSync(source, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(source, join(entry.parentPath, entry.name)))
    .sort();
}

interface OtherFile {
  example: string;
  file: string;
  /** The same bytes as the example ships. */
  asShipped: boolean;
}

/** The files of the other examples that `target` holds and `files` would not replace. */
function otherExamplesFiles(name: string, target: string, files: readonly string[]): OtherFile[] {
  const others: OtherFile[] = [];
  for (const example of EXAMPLES) {
    if (example === name) continue;
    for (const file of exampleFiles(example)) {
      const path = join(target, file);
      if (files.includes(file) || entryKind(path) === 'none') continue;
      const asShipped =
        entryKind(path) === 'file' &&
        readFileSync(path).equals(readFileSync(join(FIXTURES, example, file)));
      others.push({ example, file, asShipped });
    }
  }
  return others;
}

/** `the bank example's a, b`, example by example. */
function ofExamples(files: readonly OtherFile[]): string {
  return byExample(files)
    .map(([example, names]) => `the ${example} example's ${names.join(', ')}`)
    .join(' and ');
}

function byExample(files: readonly OtherFile[]): [string, string[]][] {
  const examples = [...new Set(files.map((other) => other.example))];
  return examples.map((example) => [
    example,
    files.filter((other) => other.example === example).map((other) => other.file),
  ]);
}

/** Spec files in the folder's specs/ that a scaffold did not write. */
function specsBeside(target: string, files: readonly string[]): string[] {
  if (entryKind(join(target, DEFAULT_SPEC_FOLDER)) !== 'folder') return [];
  return findSpecFiles([DEFAULT_SPEC_FOLDER], target)
    .map((spec) => spec.label)
    .filter((label) => !files.includes(label));
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
