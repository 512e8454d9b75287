import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backends, type Backend, type StoreUnderTest } from '../helpers/backends.js';
import { runOn } from '../helpers/backend-cli.js';
import { BIN, cliEnv, collect, parseNdjson, shellStatus, tempDir } from '../helpers/cli.js';

// A student's decider or projection handler that loops forever (`for (;;) {}`) must not hang
// the class: Ctrl-C ends the command with 130 and SIGTERM with 143, within a second, and what
// it had not committed is rolled back. The user code says on stderr when it starts to loop,
// so the signal always lands inside it. Time is asserted against a generous bound (a busy
// machine), the exit status exactly, as a shell reports it (see shellStatus). Each command
// gets Ctrl-C on one backend and SIGTERM on the other: the signals end it the same way, and
// the backends differ in what they roll back.

const EXIT_WITHIN_MS = 5_000;

/** Deposits; `Spin` (a command) and a deposit of 13 (in the projection) never return. */
const DOMAIN = `
const spin = () => {
  process.stderr.write('spinning\\n');
  for (;;) {}
};

const account = {
  category: 'account',
  streamId: (command) => String(command.data.accountId),
  initialState: () => ({}),
  evolve: (state) => state,
  decide: {
    Deposit: (command) => [{ type: 'Deposited', data: { accountId: command.data.accountId, amount: command.data.amount } }],
    Spin: () => spin(),
  },
};

const deposits = {
  name: 'deposits',
  version: 1,
  setup: ['CREATE TABLE deposits (position INTEGER PRIMARY KEY, amount INTEGER NOT NULL)'],
  on: {
    Deposited: (e) => {
      if (e.data.amount === 13) spin();
      return [{ sql: 'INSERT INTO deposits (position, amount) VALUES (?, ?)', params: [e.position, e.data.amount] }];
    },
  },
};

export default { deciders: { account }, projections: [deposits] };
`;

/** A line of `append account-a --file -`. */
const deposit = (amount: number) =>
  JSON.stringify({ type: 'Deposited', data: { accountId: 'a', amount } });

const SIGNALS = [
  { signal: 'SIGINT', status: 130 },
  { signal: 'SIGTERM', status: 143 },
] as const;

/** The signal the `index`th command gets on this backend: the other one on the other. */
const signalFor = (backend: Backend, index: number) =>
  SIGNALS[(index + (backend.name === 'sqlite' ? 0 : 1)) % 2]!;

interface Case {
  /** What is in the store before the command starts. */
  seed: number[];
  args: string[];
  /** Deposits appended once a following command has caught up. */
  appendWhileFollowing?: number[];
  /** Run before the command, after the seed. */
  before?: string[];
  /** The checkpoint the read model is left at. */
  checkpoint: number;
}

const CASES: Record<string, Case> = {
  'projections run': {
    seed: [1, 2, 3, 13, 5],
    args: ['projections', 'run', '--batch-size', '2'],
    checkpoint: 2,
  },
  'projections run --follow': {
    seed: [1, 2, 3],
    args: ['projections', 'run', '--follow', '--batch-size', '2'],
    appendWhileFollowing: [4, 13, 6],
    checkpoint: 3,
  },
  'projections rebuild': {
    seed: [1, 2, 3, 13, 5],
    before: ['projections', 'run', '--until', '3'],
    args: ['projections', 'rebuild', '--batch-size', '2'],
    checkpoint: 3,
  },
};

describe.each(backends())('a command looping in user code, on $name', (backend) => {
  let made: { store: StoreUnderTest; cleanup: () => void } | undefined;
  afterEach(async () => {
    await made?.store.cleanup();
    made?.cleanup();
    made = undefined;
  });

  /** A folder with the domain module and a fresh store holding `seed` deposits. */
  async function folder(seed: number[]) {
    const { dir, cleanup } = tempDir();
    // SQLite's fresh store is eventlite.db in this new folder.
    const store = await backend.freshStore();
    made = { store, cleanup };
    writeFileSync(join(dir, 'domain.mjs'), DOMAIN);
    const cli = async (args: readonly string[], input?: string) =>
      runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir, input });
    if (seed.length > 0) {
      const batch = `${seed.map(deposit).join('\n')}\n`;
      expect((await cli(['append', 'account-a', '--file', '-'], batch)).code).toBe(0);
    }
    const start = (args: readonly string[]) =>
      spawn(process.execPath, [BIN, '--domain', 'domain.mjs', ...args], {
        cwd: dir,
        env: cliEnv(store.env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    return { dir, cli, start };
  }

  it.each([signalFor(backend, 0)])(
    'replay stops on $signal with $status in a looping decider; the lines before stay',
    async ({ signal, status }) => {
      const { dir, cli, start } = await folder([]);
      const lines = [
        { command: 'Deposit', data: { accountId: 'a', amount: 1 } },
        { command: 'Deposit', data: { accountId: 'a', amount: 2 } },
        { command: 'Spin', data: { accountId: 'a' } },
        { command: 'Deposit', data: { accountId: 'a', amount: 3 } },
      ];
      writeFileSync(join(dir, 'scenario.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n'));
      const stopped = await stopWhileSpinning(start(['replay', 'scenario.ndjson']), signal);
      expect(stopped.status).toBe(status);
      expect(stopped.ms).toBeLessThan(EXIT_WITHIN_MS);
      expect((await cli(['verify'])).code).toBe(0);
      const log = parseNdjson((await cli(['log'])).stdout) as { data: { amount: number } }[];
      expect(log.map((event) => event.data.amount)).toEqual([1, 2]);
      expect(parseNdjson(stopped.stdout)).toEqual(log);
    },
  );

  const cases = Object.entries(CASES).map(([name, testCase], index) => ({
    name,
    testCase,
    ...signalFor(backend, index + 1),
  }));
  it.each(cases)(
    '$name stops on $signal with $status in a looping handler; committed batches stay, the one it was in rolls back',
    async ({ testCase, signal, status }) => {
      const { cli, start } = await folder(testCase.seed);
      if (testCase.before) expect((await cli(testCase.before)).code).toBe(0);
      const child = start(testCase.args);
      if (testCase.appendWhileFollowing) {
        await caughtUp(cli, testCase.seed.length);
        const batch = `${testCase.appendWhileFollowing.map(deposit).join('\n')}\n`;
        expect((await cli(['append', 'account-a', '--file', '-'], batch)).code).toBe(0);
      }
      const stopped = await stopWhileSpinning(child, signal);
      expect(stopped.status).toBe(status);
      expect(stopped.ms).toBeLessThan(EXIT_WITHIN_MS);
      expect((await cli(['verify'])).code).toBe(0);
      // The read model is the fold of the log up to its checkpoint: no row of the batch
      // that was cut off, none missing before it.
      expect(await checkpoint(cli)).toBe(testCase.checkpoint);
      const log = parseNdjson((await cli(['log'])).stdout) as {
        position: number;
        data: { amount: number };
      }[];
      const folded = log
        .filter((event) => event.position <= testCase.checkpoint)
        .map((event) => ({ position: event.position, amount: event.data.amount }));
      const rows = await cli([
        'query',
        'SELECT position, amount FROM deposits ORDER BY position',
        '--format',
        'json',
      ]);
      expect(JSON.parse(rows.stdout)).toEqual(folded);
    },
  );
});

type Cli = (args: readonly string[], input?: string) => Promise<{ stdout: string }>;

async function checkpoint(cli: Cli): Promise<number> {
  const rows = JSON.parse((await cli(['projections', '--json'])).stdout) as {
    checkpoint: number;
  }[];
  return rows[0]!.checkpoint;
}

/** Polls until the follower has applied the first `events` events. */
async function caughtUp(cli: Cli, events: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const rows = JSON.parse((await cli(['projections', '--json'])).stdout) as {
      checkpoint: number;
    }[];
    if (rows[0]?.checkpoint === events) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the follower did not reach position ${events}`);
}

/**
 * Waits until the child says its user code is looping, sends `signal`, and measures how long
 * the child takes to end. One that ignores the signal is killed after the bound (and so fails
 * on its status, 137).
 */
async function stopWhileSpinning(
  child: ChildProcess,
  signal: NodeJS.Signals,
): Promise<{ status: number; ms: number; stdout: string }> {
  const result = collect(child);
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('spinning\n')) resolve();
    });
    child.on('close', () => reject(new Error(`ended before its user code looped: ${stderr}`)));
  });
  const sentAt = performance.now();
  child.kill(signal);
  const guard = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS * 2);
  const done = await result;
  clearTimeout(guard);
  return { status: shellStatus(done), ms: performance.now() - sentAt, stdout: done.stdout };
}
