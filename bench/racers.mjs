// Concurrent writer processes for the --backend postgres bench, started and made ready first,
// then let go at once and timed from "go" to the last one done: the events/s in all.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ROOT } from './paths.mjs';
import { perSecond } from './stats.mjs';

/**
 * `count` appender processes (append-child.mjs or raw-pg-append-child.mjs: `node SCRIPT
 * …argsOf(index)`), each saying "ready" once connected and a JSON report {events, ms, busy?}
 * when done: the events/s in all, each one's own, and the StoreBusyErrors retried.
 */
export async function raceAppenders(script, count, argsOf) {
  const children = [];
  try {
    for (let index = 0; index < count; index += 1) {
      children.push(startChild([script, ...argsOf(index)], `appender ${index}`));
    }
    for (const child of children) {
      const line = await child.nextLine();
      if (line !== 'ready') throw new Error(`${child.name} said "${line}"`);
    }
    const started = performance.now();
    for (const child of children) child.process.stdin.end('go\n');
    const reports = [];
    for (const child of children) reports.push(JSON.parse(await child.nextLine()));
    const ms = performance.now() - started;
    await Promise.all(children.map((child) => child.exited));
    const events = reports.reduce((sum, report) => sum + report.events, 0);
    return {
      total: perSecond(events, ms),
      each: reports.map((report) => perSecond(report.events, report.ms)),
      busy: reports.reduce((sum, report) => sum + (report.busy ?? 0), 0),
    };
  } finally {
    for (const child of children) if (child.process.exitCode === null) child.process.kill();
  }
}

/**
 * `eventlite … exec --file - --format ndjson` in `count` processes: each runs its first
 * command (`warmUpOf(index)`, one NDJSON line) and prints its event, which says it has loaded
 * the domain and opened the store; then all are given the rest of their lines (`linesOf(index)`)
 * at once. Commands/s from then to the last exit; each command appends one event.
 */
export async function raceExecFiles(cliArgs, count, warmUpOf, linesOf) {
  const children = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const child = startChild(
        [...cliArgs, 'exec', '--file', '-', '--format', 'ndjson'],
        `exec ${index}`,
      );
      child.process.stdin.write(`${warmUpOf(index)}\n`);
      children.push(child);
    }
    for (const child of children) await child.nextLine();
    const started = performance.now();
    let commands = 0;
    for (const [index, child] of children.entries()) {
      const lines = linesOf(index);
      commands += lines.length;
      child.process.stdin.end(`${lines.join('\n')}\n`);
    }
    await Promise.all(children.map((child) => child.exited));
    return { total: perSecond(commands, performance.now() - started) };
  } finally {
    for (const child of children) if (child.process.exitCode === null) child.process.kill();
  }
}

/** Children still running, ended if the bench exits under them (a signal, an error). */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill();
});

function startChild(args, name) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const exited = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${name} exited with ${code ?? signal}: ${stderr}`)),
    );
  });
  // Awaited by the caller; when another child fails first, this one is left behind.
  exited.catch(() => {});
  // Every line kept (an exec prints one per command), so that a child never blocks on a full
  // pipe while the bench waits for another.
  const lines = [];
  let waiting;
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (text) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop();
    lines.push(...parts);
    waiting?.();
  });
  let read = 0;
  const nextLine = async () => {
    while (read >= lines.length) {
      const more = new Promise((resolve) => (waiting = resolve));
      const ended = await Promise.race([more.then(() => false), exited.then(() => true)]);
      if (ended && read >= lines.length) throw new Error(`${name} ended early: ${stderr}`);
    }
    return lines[read++];
  };
  return { process: child, name, exited, nextLine };
}
