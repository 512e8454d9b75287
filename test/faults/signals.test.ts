import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, shellStatus, tempDir } from '../helpers/cli.js';
import { runOn } from '../helpers/backend-cli.js';
import { writeDomain } from '../projections/fixtures.js';

// One rule for every command: 130 after Ctrl-C (SIGINT), 143 after SIGTERM, the shell's
// 128 + the signal's number. A command that runs no user code and follows (`log --follow`)
// stops between two reads and exits with that code; one that runs user code (replay,
// projections run) handles no signal and dies of it at once, which the shell reports with the
// same number (see src/cli/signals.ts and signals-user-code.test.ts). No wall clock is asserted
// here: "soon" is counted in commands stored after the signal.

/** At most this many more replay lines may land after the signal (it used to be thousands). */
const MORE_AFTER_SIGNAL = 200;
const REPLAY_LINES = 30_000;

function start(store: StoreUnderTest, dir: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [BIN, '--domain', 'domain.mjs', ...args], {
    cwd: dir,
    env: cliEnv(store.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Resolves once stdout holds at least `lines` lines; returns how many it holds then. */
function linesOnStdout(child: ChildProcess, lines: number): () => Promise<number> {
  let count = 0;
  let wake: (() => void) | undefined;
  // collect() sets the encoding: chunks arrive as text.
  child.stdout!.on('data', (chunk: string | Buffer) => {
    count += chunk.toString().split('\n').length - 1;
    if (count >= lines) wake?.();
  });
  return () =>
    new Promise((resolve) => {
      if (count >= lines) resolve(count);
      else wake = () => resolve(count);
    });
}

describe.each(backends())('signals, on $name', (backend) => {
  const { dir, cleanup } = tempDir();
  let store: StoreUnderTest;
  const cli = (args: readonly string[], input?: string) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir, input });
  /** Polls until the projections show no lag: a runner that follows has caught up. */
  const caughtUp = async () => {
    for (;;) {
      const rows = JSON.parse((await cli(['projections', '--json'])).stdout) as { lag: number }[];
      if (rows.every((row) => row.lag === 0)) return;
    }
  };
  const head = async () =>
    (JSON.parse((await cli(['status', '--json'])).stdout) as { head: number }).head;

  beforeAll(async () => {
    store = await backend.freshStore();
    writeDomain(dir);
    const lines = Array.from({ length: REPLAY_LINES }, (_, index) =>
      JSON.stringify({ stream: `s${index % 100}`, type: 'T', data: {} }),
    );
    writeFileSync(join(dir, 'big.ndjson'), `${lines.join('\n')}\n`);
    expect((await cli(['append', 'first', 'T', '{}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterAll(async () => {
    await store.cleanup();
    cleanup();
  });

  it.each([
    { signal: 'SIGINT', status: 130 },
    { signal: 'SIGTERM', status: 143 },
  ] as const)(
    'replay stops on $signal with $status, a few commands after it, on whole commands',
    async ({ signal, status }) => {
      const before = await head();
      const child = start(store, dir, ['replay', 'big.ndjson', '--format', 'ndjson']);
      const printed = linesOnStdout(child, 50);
      const result = collect(child);
      const atSignal = await printed();
      child.kill(signal);
      expect(shellStatus(await result)).toBe(status);
      const landed = (await head()) - before;
      expect(landed).toBeGreaterThanOrEqual(atSignal);
      expect(landed - atSignal).toBeLessThan(MORE_AFTER_SIGNAL);
      expect(landed).toBeLessThan(REPLAY_LINES);
      expect((await cli(['verify'])).code).toBe(0);
    },
  );

  it.each([
    { signal: 'SIGINT', status: 130 },
    { signal: 'SIGTERM', status: 143 },
  ] as const)(
    'replay of a stdin left open stops on $signal with $status',
    async ({ signal, status }) => {
      const child = start(store, dir, ['replay', '-', '--format', 'ndjson']);
      const printed = linesOnStdout(child, 1);
      const result = collect(child);
      child.stdin!.write('{"stream":"open","type":"T","data":{}}\n');
      await printed();
      child.kill(signal);
      expect(shellStatus(await result)).toBe(status);
    },
  );

  it.each([
    { args: ['log', '--follow', '--format', 'ndjson'], signal: 'SIGTERM', status: 143 },
    { args: ['log', '--follow', '--format', 'ndjson'], signal: 'SIGINT', status: 130 },
    { args: ['projections', 'run', '--follow'], signal: 'SIGTERM', status: 143 },
    { args: ['projections', 'run', '--follow'], signal: 'SIGINT', status: 130 },
  ] as const)('$args stops on $signal with $status', async ({ args, signal, status }) => {
    expect((await cli(['append', 'more', 'T', '{}'])).code).toBe(0);
    const child = start(store, dir, args);
    const result = collect(child);
    // Ready once it has printed the log, or caught the projection up to the new event.
    if (args[0] === 'log') await linesOnStdout(child, 1)();
    else await caughtUp();
    child.kill(signal);
    const done = await result;
    expect(shellStatus(done)).toBe(status);
    // log runs no user code: it stops itself, and says how with its exit code.
    if (args[0] === 'log') expect(done.signal).toBeNull();
  });

  it.each([
    { args: ['import', '-'], signal: 'SIGTERM', status: 143 },
    { args: ['append', 'batch', '--file', '-'], signal: 'SIGINT', status: 130 },
  ] as const)(
    '$args, stopped by $signal half-way through its input, reports $status and stores nothing',
    async ({ args, signal, status }) => {
      const before = await head();
      const child = start(store, dir, args);
      const result = collect(child);
      const line =
        args[0] === 'import'
          ? JSON.stringify({
              stream: 'imported',
              type: 'T',
              id: '0b6c6f1e-2b9e-4f43-9b8e-0a6d1c7f2a11',
              data: {},
              metadata: {},
              recordedAt: '2026-11-26T10:00:00.000Z',
            })
          : JSON.stringify({ type: 'T', data: {} });
      child.stdin!.write(`${line}\n`);
      // The command is then waiting for more input: the signal comes while it holds the batch.
      await stderrOrTime(child);
      child.kill(signal);
      expect(shellStatus(await result)).toBe(status);
      expect(await head()).toBe(before);
    },
  );
});

/** Gives a command that prints nothing while it waits for input a moment to start. */
function stderrOrTime(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1500);
    child.stderr!.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
