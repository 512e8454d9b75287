import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Projection } from '../../src/core/projection.js';
import { loadDomain } from '../../src/app/load-domain.js';
import { sourceHashOf } from '../../src/core/source-hash.js';
import { moduleFiles, moduleSourceHash } from '../../src/domain/module-hash.js';
import { definitionHashes, hashDefinition, staleReason } from '../../src/projections/definition.js';
import { tempDir } from '../helpers/cli.js';
import { projectionRowFor } from '../helpers/projection-row.js';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

const write = (name: string, text: string) => {
  mkdirSync(join(folder.dir, name, '..'), { recursive: true });
  writeFileSync(join(folder.dir, name), text);
};
const edit = (name: string, from: string, to: string) => {
  const text = readFileSync(join(folder.dir, name), 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(folder.dir, name), text.replace(from, to));
};

// A module like fixtures/bank: the handlers' SQL lives in helpers, one in the entry file and
// one in a file it imports, where a handler's own source text does not show it.
const ENTRY = `import { defineDomain, defineProjection } from 'eventlite';
import { ownerInsert } from './sql/owners.js';

const summary = defineProjection({
  name: 'summary',
  version: 1,
  setup: ['CREATE TABLE summary (id TEXT PRIMARY KEY, owner TEXT, balance REAL)'],
  on: {
    Opened: (event) => ownerInsert(event.data),
    Deposited: (event) => balanceUpdate(event.data),
  },
});

function balanceUpdate(data) {
  return { sql: 'UPDATE summary SET balance = :balance WHERE id = :id', params: data };
}

export default defineDomain({
  deciders: {
    account: {
      category: 'account',
      streamId: (command) => command.data.id,
      initialState: () => null,
      evolve: (state) => state,
      decide: { Open: () => [] },
    },
  },
  projections: [summary],
});
`;
const OWNERS = `export function ownerInsert(data) {
  return { sql: 'INSERT INTO summary (id, owner, balance) VALUES (:id, :owner, 0)', params: data };
}
`;

function writeModule() {
  write('domain.ts', ENTRY);
  write('sql/owners.ts', OWNERS);
  write('notes/unrelated.ts', "export const unused = 'not imported by the domain';\n");
}

async function loadSummary(): Promise<Projection> {
  const domain = await loadDomain('domain.ts', folder.dir);
  return domain.projections![0]!;
}

describe('the source files of a domain module', () => {
  it('are the entry and the local files it imports, transitively, as jiti resolves them', () => {
    write(
      'domain.ts',
      [
        "import { defineDomain } from 'eventlite';",
        "import { a } from './lib/a.js';",
        "import type { Types } from './types';",
        "export { c } from './lib/c.mjs';",
        "const lazy = () => import('./lib/lazy');",
        "import './side-effect.js';",
        "import config from './config.json';",
        "import { fake } from '../node_modules/pkg/index.js';",
        'export default defineDomain(a);',
      ].join('\n'),
    );
    write('lib/a.ts', "export * from './nested';\n");
    write('lib/nested/index.ts', "import { x } from '../../deep.mts';\nexport const b = 1;\n");
    write('deep.mts', 'export const x = 1;\n');
    write('types.ts', 'export type Types = string;\n');
    write('lib/c.mjs', 'export const c = 1;\n');
    write('lib/lazy.js', 'export const lazy = 1;\n');
    write('side-effect.js', '');
    write('config.json', '{}');
    write('unrelated.ts', 'export const unused = 1;\n');
    const files = moduleFiles(join(folder.dir, 'domain.ts')).map((file) =>
      file.slice(folder.dir.length + 1),
    );
    expect(files).toEqual([
      'config.json',
      'deep.mts',
      'domain.ts',
      'lib/a.ts',
      'lib/c.mjs',
      'lib/lazy.js',
      'lib/nested/index.ts',
      'side-effect.js',
      'types.ts',
    ]);
  });

  it('hash to the same value wherever the folder is, and to another when a byte changes', () => {
    writeModule();
    const before = moduleSourceHash(join(folder.dir, 'domain.ts'));
    const elsewhere = tempDir();
    try {
      for (const name of ['domain.ts', 'sql/owners.ts']) {
        mkdirSync(join(elsewhere.dir, name, '..'), { recursive: true });
        writeFileSync(join(elsewhere.dir, name), readFileSync(join(folder.dir, name)));
      }
      expect(moduleSourceHash(join(elsewhere.dir, 'domain.ts'))).toBe(before);
    } finally {
      elsewhere.cleanup();
    }
    edit('sql/owners.ts', 'VALUES', 'values');
    expect(moduleSourceHash(join(folder.dir, 'domain.ts'))).not.toBe(before);
  });
});

describe('staleness of a projection loaded from files', () => {
  it('carries the hash of its source files; a domain built in code has none', async () => {
    writeModule();
    const summary = await loadSummary();
    expect(sourceHashOf(summary)).toBe(moduleSourceHash(join(folder.dir, 'domain.ts')));
    expect(definitionHashes(summary)).not.toEqual(hashDefinition(summary, undefined));
    const inCode: Projection = { ...summary };
    expect(sourceHashOf(inCode)).toBeUndefined();
    expect(definitionHashes(inCode)).toEqual(hashDefinition(summary, undefined));
  });

  it('goes stale when the SQL of a helper in the entry file changes', async () => {
    writeModule();
    const row = projectionRowFor(await loadSummary());
    edit('domain.ts', 'SET balance = :balance', 'SET balance = :balance * 100');
    const edited = await loadSummary();
    expect(staleReason(row, edited)).toBe('its handlers changed');
    expect(definitionHashes(edited).schema).toBe(row.schemaHash);
  });

  it('goes stale when the SQL of a helper in an imported file changes', async () => {
    writeModule();
    const row = projectionRowFor(await loadSummary());
    edit('sql/owners.ts', 'VALUES (:id, :owner, 0)', 'VALUES (:id, upper(:owner), 0)');
    expect(staleReason(row, await loadSummary())).toBe('its handlers changed');
  });

  it('stays current when a file the module does not import changes', async () => {
    writeModule();
    const row = projectionRowFor(await loadSummary());
    edit('notes/unrelated.ts', 'not imported', 'still not imported');
    expect(staleReason(row, await loadSummary())).toBeUndefined();
  });

  it('continues from the failed event when a helper is fixed after a failed catch-up', async () => {
    writeModule();
    const summary = await loadSummary();
    const failed = projectionRowFor(summary, { status: 'failed', failedDuring: 'catch-up' });
    edit('sql/owners.ts', 'VALUES (:id, :owner, 0)', 'VALUES (:id, :owner, 0.0)');
    const fixed = await loadSummary();
    expect(definitionHashes(fixed).definition).not.toBe(failed.definitionHash);
    expect(staleReason(failed, fixed)).toBeUndefined();
    const failedRebuild = projectionRowFor(summary, { status: 'failed', failedDuring: 'rebuild' });
    expect(staleReason(failedRebuild, fixed)).toBe('its handlers changed');
  });
});
