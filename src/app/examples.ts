import { readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import { entryKind, makeFoldersTo, refuseLinksOnTheWay, writeOwnFile } from './scaffold-paths.js';
import { DEFAULT_SPEC_FOLDER, findSpecFiles } from './specs/find-specs.js';
import { typeCheckSetupPaths, writeTypeCheckSetup } from './typecheck-setup.js';

export const EXAMPLES = ['bank', 'orders'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

// The examples ship in the package's fixtures folder: from dist/app/ (or src/app/ under
// the tests) that is two folders up.
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface Scaffolded {
  /** Paths written, relative to the folder. */
  written: string[];
  /** The examples' files that --force removed (as shipped), relative to the folder. */
  removed: { example: string; files: string[] }[];
  /** Spec files the folder holds beside those written: `eventlite test` runs them too. */
  otherSpecs: string[];
}

/**
 * Copies an example's domain module, scenario and specs into `target`, with what makes it
 * type-check there (writeScaffold says what it refuses and what --force does).
 */
export function scaffoldExample(
  name: string,
  target: string,
  options: { force: boolean },
): Scaffolded {
  if (!(EXAMPLES as readonly string[]).includes(name)) {
    throw new InputError(`--example must be one of ${EXAMPLES.join(', ')}, got "${name}"`);
  }
  const files = exampleFiles(name).map((path) => ({
    path,
    content: readFileSync(join(FIXTURES, name, path)),
  }));
  return writeScaffold(target, files, { ...options, example: name });
}

/** A file a scaffold writes: its path relative to the folder, and what it holds. */
export interface ScaffoldFile {
  path: string;
  content: string | Buffer;
}

/**
 * Writes `files` into `target`, then a tsconfig.json and the node_modules/eventlite link
 * (typeCheckSetupPaths). Refuses, before writing anything, when one of the files is there
 * already, or when an example's files are (but those of `example`, which these replace): left
 * beside the new ones, the other example's specs would fail `eventlite test`; and, whatever
 * `force` says, when a symbolic link stands where it would write or remove (scaffold-paths.ts).
 * With `force` it overwrites and removes the examples' files, but only those still as shipped:
 * a changed one may be someone's work, so it refuses and names it.
 */
export function writeScaffold(
  target: string,
  files: readonly ScaffoldFile[],
  options: { force: boolean; example?: string },
): Scaffolded {
  const paths = files.map((file) => file.path);
  const setup = typeCheckSetupPaths(target);
  const others = examplesFilesIn(target, paths, options.example);
  // Links first, whatever --force says: it replaces files, never what a link points at.
  refuseLinksOnTheWay(target, [...paths, ...setup, ...others.map((other) => other.file)]);
  const existing = paths.filter((path) => entryKind(join(target, path)) !== 'none');
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
    makeFoldersTo(target, file.path);
    writeOwnFile(join(target, file.path), file.content, existing.includes(file.path));
  }
  for (const other of others) unlinkSync(join(target, other.file));
  return {
    written: [...paths, ...writeTypeCheckSetup(target, setup)],
    removed: byExample(others).map(([example, names]) => ({ example, files: names })),
    otherSpecs: specsBeside(target, paths),
  };
}

/** An example's files, relative to its folder, in order. */
function exampleFiles(name: string): string[] {
  return filesIn(join(FIXTURES, name));
}

/** The files under `folder`, as paths relative to it, in order. */
export function filesIn(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

interface OtherFile {
  example: string;
  file: string;
  /** The same bytes as the example ships. */
  asShipped: boolean;
}

/** The examples' files (but `except`'s) that `target` holds and `paths` would not replace. */
function examplesFilesIn(
  target: string,
  paths: readonly string[],
  except: string | undefined,
): OtherFile[] {
  const others: OtherFile[] = [];
  for (const example of EXAMPLES) {
    if (example === except) continue;
    for (const file of exampleFiles(example)) {
      const path = join(target, file);
      if (paths.includes(file) || entryKind(path) === 'none') continue;
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
