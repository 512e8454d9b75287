import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// A scaffolded example type-checks as it stands: `tsc --noEmit` in the folder finds
// 'eventlite' (a tsconfig.json, and node_modules/eventlite linked to this package, as
// `npm link` does). The store plays no part: SQLite alone.

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

describe('init --example', () => {
  it.each(['bank', 'orders'])('%s: tsc --noEmit passes in the scaffolded folder', async (name) => {
    const init = await runInProcess(['init', '--example', name], { cwd: folder.dir });
    expect(init.code).toBe(0);
    expect(init.stderr).toContain(', tsconfig.json, node_modules/eventlite\n');
    expect(realpathSync(join(folder.dir, 'node_modules/eventlite'))).toBe(realpathSync(ROOT));
    const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '-p', '.'], {
      cwd: folder.dir,
      encoding: 'utf8',
    });
    expect([tsc.status, tsc.stdout, tsc.stderr]).toEqual([0, '', '']);
  });

  it('a type error in the scaffolded module is found by tsc there', async () => {
    expect((await runInProcess(['init', '--example', 'bank'], { cwd: folder.dir })).code).toBe(0);
    const path = join(folder.dir, 'eventlite.config.ts');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\nexport const oops: number = 'text';\n`);
    const tsc = spawnSync(process.execPath, [TSC, '--noEmit', '-p', '.'], {
      cwd: folder.dir,
      encoding: 'utf8',
    });
    expect(tsc.status).toBe(2);
    expect(tsc.stdout).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
  });

  it('keeps a tsconfig.json and a node_modules/eventlite the folder has already', async () => {
    writeFileSync(join(folder.dir, 'tsconfig.json'), '{"mine":true}\n');
    mkdirSync(join(folder.dir, 'node_modules/eventlite'), { recursive: true });
    const init = await runInProcess(['init', '--example', 'bank'], { cwd: folder.dir });
    expect(init.code).toBe(0);
    expect(init.stderr).toContain('specs/account.spec.yaml\n');
    expect(readFileSync(join(folder.dir, 'tsconfig.json'), 'utf8')).toBe('{"mine":true}\n');
  });
});
