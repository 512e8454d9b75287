import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TypeScript = typeof import('typescript');

/**
 * The TypeScript compiler, when one can be found: the project's own first (resolved from
 * `folder`, so its version is the one the user's editor uses), else the one installed beside
 * eventlite. TypeScript is not a dependency of eventlite: neither may be there.
 */
export function requireTypeScript(folder: string): TypeScript | undefined {
  for (const from of [join(folder, 'package.json'), fileURLToPath(import.meta.url)]) {
    try {
      // Required, not imported: TypeScript is CommonJS, and a dynamic import() from the bundled
      // CLI's code-cached chunks fails on Node 20 (see scripts/startup/README.md).
      const loaded = createRequire(from)('typescript') as { default?: TypeScript };
      return loaded.default ?? (loaded as unknown as TypeScript);
    } catch {
      // Not there: try the next place.
    }
  }
  return undefined;
}
