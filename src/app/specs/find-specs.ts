import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { NotFoundError } from '../../core/errors.js';

const SPEC_EXTENSIONS = ['.yaml', '.yml', '.json'];
export const DEFAULT_SPEC_FOLDER = 'specs';

export interface SpecFile {
  path: string;
  /** Relative to the working folder, for messages. */
  label: string;
}

/** The spec files named (files or folders, searched recursively); by default `./specs`. */
export function findSpecFiles(paths: readonly string[], cwd = process.cwd()): SpecFile[] {
  const roots = paths.length > 0 ? paths : [DEFAULT_SPEC_FOLDER];
  const files: string[] = [];
  for (const root of roots) {
    const absolute = resolve(cwd, root);
    if (!existsSync(absolute)) {
      const hint =
        paths.length === 0 ? ' (give SPEC files or folders, or put specs in ./specs)' : '';
      throw new NotFoundError(`no such spec file or folder: ${root}${hint}`);
    }
    if (statSync(absolute).isDirectory()) files.push(...specsIn(absolute));
    else files.push(absolute);
  }
  if (files.length === 0) {
    throw new NotFoundError(`no spec files (${SPEC_EXTENSIONS.join(', ')}) in ${roots.join(', ')}`);
  }
  return [...new Set(files)].map((path) => ({ path, label: relative(cwd, path) || path }));
}

function specsIn(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SPEC_EXTENSIONS.includes(extname(entry.name)))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
