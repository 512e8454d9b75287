import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// The layer rules of eslint.config.js, run on small sources as if they were files of src/:
// a dynamic import() or a require() across a layer is refused as a static import is, and what
// a layer may load stays allowed.

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('refused', () => {
  it.each([
    ['the CLI opens an adapter', 'src/cli/commands/x.ts', "import('../../store/sqlite/index.js')"],
    ['the CLI runs the type check', 'src/cli/commands/x.ts', "import('../../domain/typecheck.js')"],
    ['the loader imports the package entry', 'src/domain/x.ts', "import('../index.js')"],
    ['the runner loads a domain', 'src/projections/x.ts', "import('../domain/load.js')"],
    ['a use case bypasses open.ts', 'src/app/x.ts', "import('../store/postgres/index.js')"],
    ['a use case reaches the terminal', 'src/app/x.ts', "import('../cli/io.js')"],
    ['one backend loads the other', 'src/store/sqlite/x.ts', "import('../postgres/index.js')"],
    ['the core does I/O', 'src/core/x.ts', "import('node:fs')"],
    ['the CLI loads a driver', 'src/cli/x.ts', "import('pg')"],
    ['the page server opens an adapter', 'src/ui/x.ts', "import('../store/sqlite/index.js')"],
    ['the page server runs the runner', 'src/ui/x.ts', "import('../projections/index.js')"],
    ['the page server reaches the terminal', 'src/ui/x.ts', "import('../cli/io.js')"],
    ['a use case serves the page', 'src/app/x.ts', "import('../ui/server.js')"],
    ['an adapter serves the page', 'src/store/postgres/x.ts', "import('../../ui/server.js')"],
  ])('%s: a dynamic import', async (_, file, load) => {
    expect(await problems(file, `export const m = await ${load};\n`)).toEqual([
      expect.stringMatching(/^no-restricted-syntax: /),
    ]);
  });

  it('a require() across a layer, plain or made by createRequire', async () => {
    const source = `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
export const a = require('../postgres/index.js');
export const b = createRequire(import.meta.url)('pg');
`;
    expect(await problems('src/store/sqlite/x.ts', source)).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The backends don't know each other/),
      expect.stringMatching(/^no-restricted-syntax: The sqlite adapter does not talk to postgres/),
    ]);
  });

  it('an import() of a computed name, which no rule could read', async () => {
    const source = "const name = 'store';\nexport const m = await import(`../${name}/index.js`);\n";
    expect(await problems('src/app/x.ts', source)).toEqual([
      'no-restricted-syntax: import() takes a string literal, so that the layer rules can check it.',
    ]);
  });

  it('a static import, as before', async () => {
    const source = "export { openSqliteEventStore } from '../../store/sqlite/index.js';\n";
    expect(await problems('src/cli/commands/x.ts', source)).toEqual([
      expect.stringMatching(/^no-restricted-imports: /),
    ]);
  });

  it("the core's own rules hold beside its import rules", async () => {
    expect(await problems('src/core/x.ts', 'export const now = Date.now();\n')).toEqual([
      'no-restricted-syntax: src/core takes time from the edge.',
    ]);
  });
});

describe('allowed', () => {
  it.each([
    ['the CLI loads a use case', 'src/cli/commands/x.ts', "import('../../app/check.js')"],
    ['a use case loads the type check', 'src/app/x.ts', "import('../domain/typecheck.js')"],
    ['open.ts loads an adapter', 'src/app/open.ts', "import('../store/postgres/index.js')"],
    ['an adapter loads its own read side', 'src/store/sqlite/x.ts', "import('./read/store.js')"],
    ['the CLI loads a library', 'src/cli/x.ts', "import('chalk')"],
    ['the CLI starts the page server', 'src/cli/commands/x.ts', "import('../../ui/server.js')"],
    ['the page server calls a use case', 'src/ui/x.ts', "import('../app/exec.js')"],
  ])('%s', async (_, file, load) => {
    expect(await problems(file, `export const m = await ${load};\n`)).toEqual([]);
  });
});
