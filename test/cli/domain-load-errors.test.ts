import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// A domain module that cannot be loaded says where: file:line:column and the offending line,
// whether the module is TypeScript or JavaScript. The module is loaded before any store is
// opened, so no backend is involved.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir });
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

describe.each(['ts', 'mjs'])(
  'a .%s module that imports a file with a syntax error',
  (extension) => {
    it('names the imported file, its line and column, and shows its line', async () => {
      write(
        `domain.${extension}`,
        `import { defineDomain } from 'eventlite';\nimport { limit } from './rules/limits.${extension}';\n\nexport default defineDomain({ deciders: {}, limit });\n`,
      );
      mkdirSync(join(folder.dir, 'rules'));
      write(
        `rules/limits.${extension}`,
        'export const floor = 0;\n\nexport const limit = {\n  max: 10,,\n};\n',
      );
      const result = await cli(['--domain', `domain.${extension}`, 'exec', 'Open', '{}']);
      expect([result.code, result.stdout, result.stderr]).toEqual([
        2,
        '',
        `error: rules/limits.${extension}:4:11: cannot load the domain module: ${
          extension === 'ts' ? 'Property assignment expected.' : 'Unexpected token'
        }\n` +
          '  4 |   max: 10,,\n' +
          '    |           ^\n',
      ]);
    });
  },
);

describe('a TypeScript syntax error inside a call with type arguments', () => {
  // Babel retries `defineDecider<…>(…)` as comparisons when the call fails to parse, and then
  // blamed the start of the statement ("Missing initializer in const declaration"), 27 lines
  // above the missing `}`; TypeScript (tsc) names the token it could not take.
  const DOMAIN = `import { defineDecider, defineDomain } from 'eventlite';

type Open = { type: 'Open'; data: { id: string; owner: string } };
type Opened = { type: 'Opened'; data: { id: string; owner: string } };

const account = defineDecider<{ open: boolean }, Open, Opened>({
  category: 'account',
  streamId: (command) => command.data.id,
  initialState: () => ({ open: false }),
  evolve: (state, event) => (event.type === 'Opened' ? { open: true } : state),
  decide(command) {
    const { id, owner } = command.data;
    return [{ type: 'Opened', data: { id, owner }];
  },
});

export default defineDomain({ deciders: { account } });
`;

  it("reports TypeScript's own line, column and message, as tsc does", async () => {
    write('eventlite.config.ts', DOMAIN);
    const result = await cli(['exec', 'Open', '{"id":"a","owner":"Ada"}']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      "error: eventlite.config.ts:13:50: cannot load the domain module: ',' expected.\n" +
        "  13 |     return [{ type: 'Opened', data: { id, owner }];\n" +
        '     |                                                  ^\n',
    ]);
  });

  it("check lists TypeScript's syntax errors in tsc's format, in the module and what it imports", async () => {
    write(
      'eventlite.config.ts',
      DOMAIN.replace("from 'eventlite';", "from 'eventlite';\nimport './more.ts';"),
    );
    write('more.ts', 'export const a = (1;\n');
    const result = await cli(['check']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      "eventlite.config.ts(14,50): error TS1005: ',' expected.\n" +
        "more.ts(1,20): error TS1005: ')' expected.\n" +
        "error: eventlite.config.ts:14:50: cannot load the domain module: ',' expected.\n" +
        "  14 |     return [{ type: 'Opened', data: { id, owner }];\n" +
        '     |                                                  ^\n',
    ]);
  });
});
