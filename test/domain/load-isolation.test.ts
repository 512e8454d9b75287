import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

// Loading a domain module needs no database: the module's `import … from 'eventlite'` gets the
// authoring API, not the package entry, whose use cases open the adapters. Seen from outside,
// by a module-loading hook that lists every module of dist/ that a fresh process loads.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

function modulesLoadedBy(script: string): string[] {
  const trace = join(folder.dir, 'trace.txt');
  writeFileSync(trace, '');
  writeFileSync(
    join(folder.dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(trace)}, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(
    join(folder.dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
  execFileSync(
    process.execPath,
    ['--import', pathToFileURL(join(folder.dir, 'register.mjs')).href, '--input-type=module'],
    { input: script, cwd: folder.dir, env: { ...process.env, EVENTLITE_CACHE_DIR: folder.dir } },
  );
  const dist = pathToFileURL(join(ROOT, 'dist')).href;
  return readFileSync(trace, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith(`${dist}/`))
    .map((url) => url.slice(dist.length + 1));
}

it('loading a domain module loads no adapter, no use case but the loader, and not the entry', () => {
  const loader = pathToFileURL(join(ROOT, 'dist/app/load-domain.js')).href;
  const bank = join(ROOT, 'fixtures/bank/eventlite.config.ts');
  const loaded = modulesLoadedBy(
    `const { loadDomain } = await import(${JSON.stringify(loader)});
const domain = await loadDomain(${JSON.stringify(bank)});
if (!domain.deciders.account) throw new Error('the bank domain did not load');`,
  );
  expect(loaded).toContain('domain/load.js');
  expect(loaded).toContain('core/authoring.js');
  expect(loaded.filter((path) => path.startsWith('store/'))).toEqual([]);
  expect(loaded.filter((path) => path.startsWith('app/'))).toEqual(['app/load-domain.js']);
  expect(loaded).not.toContain('index.js');
});
