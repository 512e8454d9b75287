import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ROOT } from '../helpers/cli.js';

/**
 * Builds dist/ once before any test runs: in-process tests import the sources, but the
 * spawned-binary tests run bin/eventlite.js, which must never run stale code.
 */
export default function buildOnce(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // bin/eventlite.js starts the bundle made from what tsc just wrote, with its saved help texts
  // and code cache, as `npm run build` makes them.
  execFileSync(process.execPath, ['scripts/startup/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
