import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, tempDir } from '../helpers/cli.js';
import { copyPackage, runProgram } from '../helpers/package-copy.js';

// `check` for CI where TypeScript is not installed: eventlite does not depend on it, so a
// project may lack it. Spawned from a copy of the package whose node_modules has every
// dependency but TypeScript, so that neither the project nor eventlite can find it.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

describe('check where TypeScript is not installed', () => {
  it('says "not type-checked" and passes, but fails (exit 5) under CI=true or --require-types', () => {
    const pkg = copyPackage(join(folder.dir, 'package'), ['typescript']);
    const classroom = join(folder.dir, 'class');
    mkdirSync(classroom);
    const eventlite = (args: string[], env: Record<string, string | undefined> = {}) =>
      runProgram(process.execPath, [join(pkg, 'bin/eventlite.js'), ...args], {
        cwd: classroom,
        env: cliEnv({ CI: undefined, ...env }),
      });
    expect(eventlite(['init', '--example', 'bank']).code).toBe(0);

    const missing =
      'eventlite.config.ts: not type-checked: typescript is not installed in this project nor beside eventlite (npm install --save-dev typescript)';
    const loads = 'eventlite.config.ts: loads, 1 decider and 1 projection\n';
    const local = eventlite(['check']);
    expect([local.code, local.stdout, local.stderr]).toEqual([
      0,
      `${loads}${missing}\neventlite.config.ts: projection handlers not compared: the store has no events\n`,
      '',
    ]);
    for (const [args, env, why] of [
      [['check'], { CI: 'true' }, 'CI=true'],
      [['check'], { CI: '1' }, 'CI=1'],
      [['check', '--require-types'], {}, '--require-types'],
    ] as const) {
      const result = eventlite([...args], env);
      expect([result.code, result.stdout, result.stderr], `${args.join(' ')} ${why}`).toEqual([
        5,
        loads,
        `error: ${missing}; ${why} makes that a failure (--no-types checks without types)\n`,
      ]);
    }
    // A job that means to go without types says so.
    const untyped = eventlite(['check', '--no-types'], { CI: 'true' });
    expect([untyped.code, untyped.stderr]).toEqual([0, '']);
    expect(eventlite(['check'], { CI: 'false' }).code).toBe(0);
  });
});
