import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, spawnCli, startCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { expectContiguous, expectVerified, killWhen, type LoggedEvent } from './process-helpers.js';

// SIGKILL while a snapshot is being taken or written, through the built binary, on both
// backends. A snapshot is written after the append has committed, in a transaction of its own,
// so a kill there loses no event; and whatever snapshot survives folds to the same state as
// the events themselves.

// Every command takes a snapshot (`every: 1`); with KILL_AT set, taking the one at that count
// kills the process, after its append committed and before the snapshot is stored.
const DOMAIN = `
import { defineDomain } from 'eventlite';
export default defineDomain({
  deciders: {
    counter: {
      category: 'counter',
      snapshot: {
        every: 1,
        serialize(state) {
          if (String(state.n) === process.env.KILL_AT) process.kill(process.pid, 'SIGKILL');
          return state;
        },
        deserialize: (json) => json,
      },
      streamId: (command) => command.data.id,
      initialState: () => ({ n: 0, total: 0 }),
      evolve: (state, event) => ({ n: state.n + 1, total: state.total + event.data.amount }),
      decide: { Add: (command) => [{ type: 'Added', data: { amount: command.data.amount } }] },
    },
  },
});
`;

const command = (amount: number) => JSON.stringify({ command: 'Add', data: { id: 'c', amount } });

describe.each(backends())('a kill while a snapshot is written, on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  // The commands killed are spawned (the domain kills its own process); the rest run the CLI
  // in process, without a Node start-up each. KILL_AT is read from the process's own
  // environment, which the test worker's does not set.
  const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir, env: store.env });
  const spawned = (args: string[], env: Record<string, string>) =>
    spawnCli(args, { cwd: folder.dir, env: { ...store.env, ...env } });

  async function events(): Promise<LoggedEvent[]> {
    const result = await cli(['export']);
    expect(result.code).toBe(0);
    return parseNdjson(result.stdout) as LoggedEvent[];
  }

  /** The store verifies, and `state` agrees with the events it holds. */
  async function expectWhole(context: string): Promise<number> {
    await expectVerified(folder.dir, context, store.env);
    const stored = await events();
    expectContiguous(stored);
    const state = await cli(['state', 'counter-c', '--format', 'json']);
    expect(state.code, state.stderr).toBe(0);
    const total = stored.reduce((sum, event) => sum + (event.data.amount as number), 0);
    expect(JSON.parse(state.stdout), context).toEqual({ n: stored.length, total });
    return stored.length;
  }

  beforeEach(async () => {
    folder = tempDir();
    writeFileSync(join(folder.dir, 'eventlite.config.ts'), DOMAIN);
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('killed after the append, taking the snapshot: the event is kept, the next exec goes on', async () => {
    for (const amount of [1, 2]) {
      expect((await cli(['exec', 'Add', `{"id":"c","amount":${amount}}`])).code).toBe(0);
    }
    const killed = await spawned(['exec', 'Add', '{"id":"c","amount":3}'], { KILL_AT: '3' });
    expect(killed.signal).toBe('SIGKILL');
    expect(await expectWhole('after the kill')).toBe(3);
    expect((await cli(['exec', 'Add', '{"id":"c","amount":4}'])).code).toBe(0);
    expect(await expectWhole('after the next exec')).toBe(4);
  });

  it('killed at moments of a replay that writes a snapshot per command: nothing is lost', async () => {
    const lines = Array.from({ length: 60 }, (_, index) => command(index + 1)).join('\n');
    let expected = 0;
    for (const landed of [3, 11, 25]) {
      const child = startCli(['replay', '-', '--format', 'ndjson'], {
        cwd: folder.dir,
        env: store.env,
        input: `${lines}\n`,
      });
      let printed = 0;
      child.stdout!.on(
        'data',
        (chunk: Buffer) => (printed += chunk.toString().split('\n').length - 1),
      );
      const outcome = await killWhen(child, () => printed >= landed);
      expect(outcome.killed, outcome.stderr).toBe(true);
      const count = await expectWhole(`after a kill at ${landed} events printed`);
      // What was printed was committed; what the kill cut short is either whole or absent.
      expect(count).toBeGreaterThanOrEqual(expected + landed);
      expected = count;
    }
  });
});
