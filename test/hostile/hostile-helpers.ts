import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { BIN, cliEnv, type CliResult } from '../helpers/cli.js';

export const STRESS = process.env.EVENTLITE_STRESS === '1';

/** `normal` runs, or `stress` of them with EVENTLITE_STRESS=1. */
export function runs(normal: number, stress: number): number {
  return STRESS ? stress : normal;
}

export type { Folder } from '../helpers/bank-folder.js';

/**
 * Runs the built CLI with stdin given as bytes, so a test can send what a string cannot hold
 * (invalid UTF-8).
 */
export function runCliBytes(
  args: readonly string[],
  options: { cwd: string; input?: Buffer | string },
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * What "both databases are unchanged" means here, byte for byte and robust to SQLite's own
 * housekeeping:
 * - the main files (store and read database) have the same bytes;
 * - each `-wal` is absent or empty. Every command closes its connection, and the last close
 *   checkpoints the WAL into the main file and empties it, so in a quiet folder committed data
 *   lives only in the main file. A read-only connection may leave an empty `-wal` and a `-shm`
 *   behind: the `-shm` is only an index of the WAL, holds no data, and is ignored;
 * - no other file appeared (an `ATTACH` or `VACUUM INTO` that got through would create one).
 */
export interface Snapshot {
  files: Record<string, string>;
}

const DATABASES = ['eventlite.db', 'eventlite.read.db'];

export function snapshot(dir: string, databases: readonly string[] = DATABASES): Snapshot {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('-shm')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      files[name] = 'folder';
    } else if (name.endsWith('-wal')) {
      const size = statSync(path).size;
      if (size > 0) files[name] = `${size} bytes not checkpointed`;
    } else {
      files[name] = digest(readFileSync(path));
    }
  }
  for (const name of databases) {
    if (!existsSync(join(dir, name))) throw new Error(`snapshot: ${name} is missing`);
  }
  return { files };
}

export function digest(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The contract for a refused command: the documented exit code, nothing on stdout, and exactly
 * one line on stderr, `error: …`, with no stack trace.
 */
export function expectRefused(result: CliResult, code: number, message: RegExp, label = ''): void {
  const context = `${label}\nstderr: ${result.stderr.slice(0, 500)}`;
  expect(result.code, context).toBe(code);
  expect(result.stdout, context).toBe('');
  expect(result.stderr, context).toMatch(/^error: [^\n]*\n$/);
  expect(result.stderr, context).not.toMatch(/\bat .*\(.*:\d+:\d+\)|unexpected failure/);
  expect(result.stderr, context).toMatch(message);
}
