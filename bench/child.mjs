// Runs a child Node process and measures it from the outside: wall time, and optionally its
// peak RSS and CPU time through rss-preload.cjs. Stdout goes to /dev/null unless captured or
// piped.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { RSS_PRELOAD, ROOT, scratchPath } from './paths.mjs';

/**
 * @param {string[]} args after `node`
 * @param {{ rss?: boolean, captureStdout?: boolean, env?: Record<string, string> }} options
 *   captureStdout: stdout is a pipe, and what came through it is returned
 * @returns {{ ms: number, rssKb?: number, cpuMs?: number, stdout?: string }}
 */
export function runNode(args, options = {}) {
  const rssFile = options.rss ? scratchPath(`rss-${process.pid}.txt`) : undefined;
  if (rssFile) rmSync(rssFile, { force: true });
  const devNull = options.captureStdout ? undefined : openSync('/dev/null', 'w');
  const nodeArgs = rssFile ? ['--require', RSS_PRELOAD, ...args] : args;
  try {
    const started = performance.now();
    const result = spawnSync(process.execPath, nodeArgs, {
      cwd: ROOT,
      env: { ...process.env, ...options.env, ...(rssFile ? { BENCH_RSS_FILE: rssFile } : {}) },
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    const ms = performance.now() - started;
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(
        `node ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr}`,
      );
    }
    const usage = rssFile ? JSON.parse(readFileSync(rssFile, 'utf8')) : {};
    return {
      ms,
      rssKb: usage.maxRssKb,
      cpuMs: usage.cpuMs,
      stdout: options.captureStdout ? result.stdout : undefined,
    };
  } finally {
    if (devNull !== undefined) closeSync(devNull);
    if (rssFile) rmSync(rssFile, { force: true });
  }
}
