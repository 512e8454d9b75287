import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, relative, resolve, sep } from 'node:path';

// A projection's rows depend on more than its handlers' own text: a handler may call a helper
// elsewhere in the module, or in a file the module imports (fixtures/bank's balanceUpdate).
// Hashing every local source file of the module is the sound answer: any edit that could
// change the rows changes the hash. It also catches edits that could not (a comment, a
// decider), and those cost a rebuild: read models are derived data, a wrong one is worse.

const CODE = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];
// jiti lets `./helpers.js` name `./helpers.ts`, as TypeScript's NodeNext resolution does.
const TS_FOR_JS: Record<string, string> = {
  '.js': '.ts',
  '.mjs': '.mts',
  '.cjs': '.cts',
  '.jsx': '.tsx',
};
const APPENDED = [...CODE, '.json'];

// `from '…'`, `import '…'`, `import('…')`, `require('…')`. Matching inside a comment or a
// string only ever adds a file to the hash, which is safe.
const SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"`])([^'"`\r\n]+)\1/g;

/**
 * The module's source files: the entry and every local file it imports, transitively. Only
 * relative specifiers are followed (`./x`, `../y`), resolved as jiti does: the path as given,
 * `.js` as `.ts`, an added extension, or the folder's index file; when more than one of those
 * exists, all are taken. Packages (`eventlite`, anything in node_modules) are not followed.
 */
export function moduleFiles(entry: string): string[] {
  const found = new Set<string>([resolve(entry)]);
  const pending = [resolve(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (!CODE.includes(extname(file))) continue;
    for (const specifier of relativeSpecifiers(readFileSync(file, 'utf8'))) {
      for (const target of candidates(resolve(dirname(file), specifier))) {
        if (found.has(target) || target.split(sep).includes('node_modules')) continue;
        found.add(target);
        pending.push(target);
      }
    }
  }
  return [...found].sort();
}

/** One hash of the module's source files, their paths (from the entry's folder) and bytes. */
export function moduleSourceHash(entry: string): string {
  const root = dirname(resolve(entry));
  const hash = createHash('sha256');
  for (const file of moduleFiles(entry)) {
    const bytes = readFileSync(file);
    const name = relative(root, file).split(sep).join('/');
    hash.update(`${name}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}

function relativeSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(SPECIFIER)) {
    const specifier = match[2]!;
    if (/^\.\.?(\/|$)/.test(specifier)) specifiers.push(specifier);
  }
  return specifiers;
}

function candidates(base: string): string[] {
  const extension = extname(base);
  const paths = [base];
  const typescript = TS_FOR_JS[extension];
  if (typescript) paths.push(base.slice(0, -extension.length) + typescript);
  for (const added of APPENDED) paths.push(base + added, resolve(base, `index${added}`));
  return paths.filter(isFile);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Not there, or a file where the path wants a folder (`a.mjs/index.ts`): not a candidate.
    return false;
  }
}
