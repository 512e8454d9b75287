import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, spawnCli } from '../helpers/cli.js';

const BUNDLE = join(ROOT, 'dist', 'bundle');

function caches(): Map<string, number> {
  return new Map(
    readdirSync(BUNDLE)
      .filter((name) => name.endsWith('.cache'))
      .map((name) => [name, statSync(join(BUNDLE, name)).mtimeMs]),
  );
}

// The CLI as built (scripts/startup/): CommonJS chunks, each with
// V8's code cache, loaded by dist/bundle/eventlite.cjs. Domain modules loaded with import(),
// PostgreSQL and spec files (yaml) go through the same loader in the other spawned tests.
describe('the bundled CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eventlite-bundle-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has a code cache for every chunk a store-only command loads, and this Node accepts it', async () => {
    const db = join(dir, 'store.db');
    expect((await spawnCli(['--db', db, 'append', 'a', 'T', '{}'], { cwd: dir })).code).toBe(0);
    const before = caches();
    expect(before.size).toBeGreaterThan(0);
    // Asked to, the loader writes a cache for each chunk that had none or whose cache V8
    // rejected: nothing may be written.
    for (const args of [['streams'], ['read', 'a'], ['log', '--limit', '1'], ['status']]) {
      const result = await spawnCli(['--db', db, ...args, '--format', 'ndjson'], {
        cwd: dir,
        env: { EVENTLITE_WRITE_CODE_CACHE: '1' },
      });
      expect(result.code, result.stderr).toBe(0);
    }
    expect(caches()).toEqual(before);
  });
});
