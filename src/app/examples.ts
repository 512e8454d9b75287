import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
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
  return files;
}
