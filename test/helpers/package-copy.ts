import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

// The package as it is installed somewhere else: for tests of what npm does with it, and of
// the CLI where one of its optional companions (TypeScript) is not installed.

/**
 * A copy of the package in `dir` (its own package.json, bin, dist and fixtures, so that the
 * built CLI resolves its modules from there) whose node_modules links each of this clone's
 * dependencies but those named in `without`. Run `npm run build` (the test setup does) first.
 */
export function copyPackage(dir: string, without: readonly string[] = []): string {
  for (const name of ['package.json', 'bin', 'dist', 'fixtures']) {
    cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  }
  mkdirSync(join(dir, 'node_modules'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!without.includes(name)) {
      symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
    }
  }
  return dir;
}

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; with `uid` (as root), as that user, through setpriv. */
export function runProgram(
  command: string,
  args: readonly string[],
  { uid, ...options }: SpawnSyncOptions & { uid?: number },
): ProgramResult {
  const [program, prefix] =
    uid === undefined
      ? [command, []]
      : ['setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', command]];
  const result = spawnSync(program, [...prefix, ...args], { encoding: 'utf8', ...options });
  return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}
