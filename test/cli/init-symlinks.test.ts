import {
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// `init --example` writes into the current folder and nowhere else: a symbolic link where it
// would write (dangling, or to another folder) is refused in one line, before anything is
// written, --force or not; nothing appears in the folder the link names, and no store is made.

describe.each(backends())('on $name', (backend) => {
  let root: ReturnType<typeof tempDir>;
  let work: string;
  let elsewhere: string;
  let store: StoreUnderTest;
  const init = (...flags: string[]) =>
    runOn(store, ['init', '--example', 'bank', ...flags], { cwd: work });
  /** The folder's entries, links shown with what they point at. */
  const entries = (folder: string) =>
    readdirSync(folder, { withFileTypes: true }).map((entry) =>
      entry.isSymbolicLink()
        ? `${entry.name} -> ${readlinkSync(join(folder, entry.name))}`
        : entry.name,
    );

  beforeEach(async () => {
    root = tempDir();
    work = join(root.dir, 'work');
    elsewhere = join(root.dir, 'elsewhere');
    mkdirSync(work);
    mkdirSync(elsewhere);
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    root.cleanup();
  });

  async function expectRefused(links: string, flags: string[] = []): Promise<void> {
    const before = entries(work);
    const result = await init(...flags);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: refusing to write through the symbolic link ${links}: remove it, or scaffold in another folder\n`,
    ]);
    expect(entries(work)).toEqual(before);
    expect(await storeExists(store.db, work)).toBe(false);
  }

  it('a dangling eventlite.config.ts is not written through', async () => {
    symlinkSync('../elsewhere/planted.ts', join(work, 'eventlite.config.ts'));
    await expectRefused('eventlite.config.ts');
    await expectRefused('eventlite.config.ts', ['--force']);
    expect(entries(elsewhere)).toEqual([]);
  });

  it('specs linked to another folder is not written into', async () => {
    symlinkSync('../elsewhere', join(work, 'specs'));
    await expectRefused('specs', ['--force']);
    expect(entries(elsewhere)).toEqual([]);
  });

  it('--force replaces files, never the file a link points at', async () => {
    writeFileSync(join(elsewhere, 'victim.ts'), 'precious');
    symlinkSync('../elsewhere/victim.ts', join(work, 'eventlite.config.ts'));
    await expectRefused('eventlite.config.ts', ['--force']);
    expect(readFileSync(join(elsewhere, 'victim.ts'), 'utf8')).toBe('precious');
  });

  it('node_modules linked to another folder gets no eventlite link there', async () => {
    symlinkSync('../elsewhere', join(work, 'node_modules'));
    await expectRefused('node_modules');
    expect(entries(elsewhere)).toEqual([]);
  });

  it("a tsconfig.json that is a link is the folder's own: kept, not written through", async () => {
    symlinkSync('../elsewhere/tsconfig.json', join(work, 'tsconfig.json'));
    const result = await init();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'wrote the bank example: eventlite.config.ts, scenario.ndjson, specs/account-summary.spec.yaml, specs/account.spec.yaml, node_modules/eventlite\n',
    );
    expect(entries(elsewhere)).toEqual([]);
    expect(readlinkSync(join(work, 'tsconfig.json'))).toBe('../elsewhere/tsconfig.json');
  });

  it('without links it writes the example as before', async () => {
    const result = await init();
    expect(result.code, result.stderr).toBe(0);
    expect(entries(work).sort()).toEqual(
      [
        'eventlite.config.ts',
        'node_modules',
        'scenario.ndjson',
        'specs',
        'tsconfig.json',
        ...(backend.name === 'sqlite' ? ['eventlite.db'] : []),
      ].sort(),
    );
    // Again with --force: the files are replaced in place, the folder's own setup kept.
    const again = await init('--force');
    expect(again.code, again.stderr).toBe(0);
  });
});
