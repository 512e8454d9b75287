// The latency and idle cost of a follower, measured from outside as a user would see them: a
// follower process (`eventlite subscribe --follow` with `cat` as its consumer, or a baseline)
// prints each new event as a line on its stdout; this process appends events through the
// EventStore port one at a time, each after a pause, and takes the time from the append's
// return (its commit) to the event's line arriving here. Then the follower sits idle and its
// CPU time is read from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { openStore } from './backend-stores.mjs';
import { ROOT } from './paths.mjs';
import { median } from './stats.mjs';

/** Clock ticks per second of /proc/PID/stat's CPU times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * @param {string} location the store (a SQLite path or a postgres:// URL), with events in it
 * @param {string[]} command the follower, `node` arguments: prints one JSON line per new event
 * @param {{ count: number, gapMs: number, idleMs: number, env?: Record<string, string> }} options
 * @returns {Promise<{ latencies: number[], medianMs: number, idleCpuPercent: number }>}
 */
export async function measureFollower(location, command, options) {
  const store = await openStore(location);
  const follower = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  follower.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => follower.once('exit', resolve));
  const arrivals = new Map();
  const waiting = new Map();
  createInterface({ input: follower.stdout }).on('line', (line) => {
    const at = performance.now();
    const { position } = JSON.parse(line);
    arrivals.set(position, at);
    waiting.get(position)?.();
  });
  const arrived = (position, what) =>
    new Promise((resolve, reject) => {
      if (arrivals.has(position)) return resolve(arrivals.get(position));
      const timer = setTimeout(
        () =>
          reject(new Error(`${what}: event ${position} never came out of the follower: ${stderr}`)),
        60_000,
      );
      waiting.set(position, () => {
        clearTimeout(timer);
        resolve(arrivals.get(position));
      });
    });
  const append = async (n) => {
    const { events } = await store.append(`follow-${n % 10}`, [{ type: 'Ticked', data: { n } }]);
    return events[0].position;
  };
  try {
    // A first event, until it comes out: the follower has started and caught up.
    await arrived(await append(0), 'warm-up');
    const latencies = [];
    for (let n = 1; n <= options.count; n += 1) {
      await new Promise((resolve) => setTimeout(resolve, options.gapMs));
      const position = await append(n);
      const committed = performance.now();
      latencies.push((await arrived(position, 'latency')) - committed);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = cpuTicks(follower.pid);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    const cpuMs = ((cpuTicks(follower.pid) - before) * 1000) / TICKS_PER_SECOND;
    const idleCpuPercent = (100 * cpuMs) / (performance.now() - started);
    return { latencies, medianMs: median(latencies), idleCpuPercent };
  } finally {
    follower.kill('SIGTERM');
    await exited;
    await store.close();
  }
}

/** The process's user and system CPU time so far, in clock ticks. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
