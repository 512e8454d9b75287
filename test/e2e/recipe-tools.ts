import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers/cli.js';

// What the recipes of docs/subscriptions.md need to run in a test: their text, taken from the
// page itself so that the page cannot drift from what is tested; an `eventlite` on PATH; the
// tools they call; and a redis-server of the test's own.

/** The fenced block after `<!-- recipe: NAME -->` (or `recipe-file`) in docs/subscriptions.md. */
export function recipe(name: string, kind: 'recipe' | 'recipe-file' = 'recipe'): string {
  const page = readFileSync(join(ROOT, 'docs/subscriptions.md'), 'utf8');
  const marker = `<!-- ${kind}: ${name} -->\n`;
  const start = page.indexOf(marker);
  if (start === -1) throw new Error(`docs/subscriptions.md has no ${marker.trim()}`);
  const block = /^```\w*\n([\s\S]*?)^```$/m.exec(page.slice(start + marker.length));
  if (!block) throw new Error(`no code block after ${marker.trim()}`);
  return block[1]!;
}

/** A folder holding an `eventlite` that runs the built CLI, to put first on PATH. */
export function eventliteOnPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'eventlite'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
    mode: 0o755,
  });
  return bin;
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether the tools are here. Missing ones skip the test with a plain message, except under CI
 * (CI=true), where they must be installed (.ci/run installs them) and the test fails instead.
 */
export function toolsPresent(names: readonly string[]): { present: boolean; missing: string[] } {
  const missing = names.filter((name) => !hasCommand(name));
  if (missing.length > 0 && process.env.CI === 'true') {
    throw new Error(`CI=true and ${missing.join(', ')} not installed (.ci/run installs them)`);
  }
  if (missing.length > 0) {
    console.warn(
      `subscription recipes: ${missing.join(', ')} not installed; skipping what needs them`,
    );
  }
  return { present: missing.length === 0, missing };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server on a free loopback port, its files in `dir`, until `stop`. */
export async function startRedis(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const server: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (
    spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout.trim() !==
    'PONG'
  ) {
    if (Date.now() > deadline || server.exitCode !== null) {
      server.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    async stop() {
      if (server.exitCode === null) server.kill('SIGTERM');
      await exited;
    },
  };
}
