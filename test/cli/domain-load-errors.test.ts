import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';

// A domain module that cannot be loaded says where: file:line:column and the offending line,
// whether the module is TypeScript or JavaScript. The module is loaded before any store is
// opened, so no backend is involved.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

const cli = (args: string[]) => runCli(args, { cwd: folder.dir });
const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);

describe.each(['ts', 'mjs', 'js'])('a .%s module', (extension) => {
  const file = `domain.${extension}`;

  it('with a syntax error names file:line:column and shows the line', async () => {
    write(
      file,
      "import { defineDomain } from 'eventlite';\n\nconst limit;\nexport default defineDomain({ deciders: {} });\n",
    );
    const result = await cli(['--domain', file, 'exec', 'Open', '{}']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: ${file}:3:12: cannot load the domain module: Missing initializer in const declaration.\n` +
        '  3 | const limit;\n' +
        '    |            ^\n',
    ]);
  });

  it('importing a name eventlite does not export says so, with a suggestion', async () => {
    write(
      file,
      "import { defineDomain, defineProjector } from 'eventlite';\n\nexport const p = defineProjector({ name: 'p' });\nexport default defineDomain({ deciders: {} });\n",
    );
    const result = await cli(['--domain', file, 'exec', 'Open', '{}']);
    expect([result.code, result.stderr]).toEqual([
      2,
      `error: ${file}:3:18: cannot load the domain module: eventlite has no export "defineProjector" (did you mean "defineProjection"?)\n` +
        "  3 | export const p = defineProjector({ name: 'p' });\n" +
        '    |                  ^\n',
    ]);
  });

  it('an error thrown while the module runs names its line', async () => {
    write(
      file,
      "import { defineDomain } from 'eventlite';\nconst limits = undefined;\nconst max = limits.max;\nexport default defineDomain({ deciders: {} });\n",
    );
    const result = await cli(['--domain', file, 'exec', 'Open', '{}']);
    expect([result.code, result.stderr]).toEqual([
      2,
      `error: ${file}:3: cannot load the domain module: TypeError: Cannot read properties of undefined (reading 'max')\n` +
        '  3 | const max = limits.max;\n',
    ]);
  });
});
