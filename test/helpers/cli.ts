import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/eventlite.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /**
   * Written to stdin, which is then closed. Without it stdin is closed at once. Bytes for what
   * a string cannot hold (invalid UTF-8).
   */
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
}

/** A clean environment: no EVENTLITE_* or colour settings leak in from the developer's shell. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('EVENTLITE_') || key === 'NO_COLOR' || key === 'FORCE_COLOR')
      delete env[key];
  }
  return { ...env, ...extra };
}

/** Starts the built CLI (`bin/eventlite.js`) as a user would, without waiting for it. */
export function startCli(args: readonly string[], options: CliOptions): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => {});
  child.stdin!.end(options.input ?? '');
  return child;
}

/** Runs the built CLI to the end and collects its output. */
export function spawnCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child);
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/**
 * What a shell's `$?` says of a finished process: its exit code, or 128 + the number of the
 * signal that ended it (Node's child_process reports the two apart).
 */
export function shellStatus(result: Pick<CliResult, 'code' | 'signal'>): number {
  if (result.code !== null) return result.code;
  return 128 + constants.signals[result.signal!];
}

/** A fresh temporary folder; remove it with the returned cleanup. */
export function tempDir(prefix = 'eventlite-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses NDJSON output into values. */
export function parseNdjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}
