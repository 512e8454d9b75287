import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { tempDir } from './cli.js';
import { runInProcess } from './in-process.js';

/**
 * The bank example's files (`init --example bank`) without a store, scaffolded once for the
 * test file that calls this at its top level; each test copies them into a folder of its own.
 */
export function bankTemplate(): { readonly dir: string } {
  let folder: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    folder = tempDir();
    expect((await runInProcess(['init', '--example', 'bank'], { cwd: folder.dir })).code).toBe(0);
    rmSync(join(folder.dir, 'eventlite.db'));
  });
  afterAll(() => folder?.cleanup());
  return {
    get dir() {
      if (!folder) throw new Error('the bank template is ready only once beforeAll has run');
      return folder.dir;
    },
  };
}
