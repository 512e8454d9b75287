import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLifecycleDomain } from '../cli/lifecycle-domain.js';
import { bankLog } from '../projections/fixtures.js';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type Backend, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, startCli, tempDir } from '../helpers/cli.js';
import { pgClient, pgOthersGone } from '../helpers/pg-inspect.js';
import { killAfter, seededRandom, sized, STRESS_TIMEOUT, trustSeed } from './process-helpers.js';

// SIGKILL at random moments during each lifecycle command (soft and hard delete, redact,
// forget), many times over. After every kill the store verifies and holds either the state
// before the command or the state after it, as an uninterrupted run of the same commands on a
// copy of the store left it; then the command is run again until it has happened. At the end
// a projections run (which rebuilds what the commands made stale) gives the read models the
// uninterrupted run gives, and the logs are alike.
//
// Sizes: EVENTLITE_TRUST_LIFECYCLE_EVENTS, EVENTLITE_TRUST_LIFECYCLE_KILLS (kills per command;
// bigger with EVENTLITE_STRESS=1); EVENTLITE_TRUST_SEED repeats a run's choices.

const SIZES: Record<Backend['name'], { events: number; kills: number }> = {
  sqlite: {
    events: sized('EVENTLITE_TRUST_LIFECYCLE_EVENTS', 2000, 30_000),
    kills: sized('EVENTLITE_TRUST_LIFECYCLE_KILLS', 2, 25),
  },
  postgres: {
    events: sized('EVENTLITE_TRUST_LIFECYCLE_EVENTS', 500, 30_000),
    kills: sized('EVENTLITE_TRUST_LIFECYCLE_KILLS', 2, 25),
  },
};

/** The commands, in order; each changes what the ones before left. */
const ACTIONS: readonly string[][] = [
  ['streams', 'delete', 'account-a3', '--yes'],
  ['streams', 'delete', 'account-a4', '--hard', '--yes'],
  ['redact', 'account-a5', '--field', 'owner', '--yes'],
  ['forget', 'a2', '--yes'],
  ['forget', 's1', '--yes'],
];

interface Logged {
  position: number;
  stream: string;
  id: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
}

/** The log as two stores that ran the same commands must both hold it: audit events' ids, times and store ids differ. */
function comparable(events: readonly Logged[]): unknown[] {
  return events.map((event) => {
    if (event.stream !== '$eventlite') return event;
    const data = Object.fromEntries(Object.entries(event.data).filter(([key]) => key !== 'store'));
    return { position: event.position, type: event.type, data };
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(backends())('lifecycle commands killed at random moments, on $name', (backend) => {
  const sizes = SIZES[backend.name];

  it(
    'each leaves the old state or the new one; verify and a rebuild agree with an uninterrupted run',
    { timeout: STRESS_TIMEOUT * 2 },
    async () => {
      const seed = trustSeed();
      const random = seededRandom(seed);
      const folder = tempDir('eventlite-lifecycle-crash-');
      cleanups.push(folder.cleanup);
      const dir = folder.dir;
      writeLifecycleDomain(dir);
      // Six accounts of unsealed events (an import keeps data as given), then one sealed account.
      writeFileSync(join(dir, 'base.ndjson'), bankLog(sizes.events, 6));

      const storeFor = async (name: string): Promise<StoreUnderTest> => {
        const store = await backend.otherStore(name);
        cleanups.push(() => store.cleanup());
        return store;
      };
      const original = await storeFor('original.db');
      const inProcess = async (store: StoreUnderTest, args: readonly string[]) => {
        const result = await runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr} (seed ${seed})`).toBe(0);
        return result;
      };
      await inProcess(original, ['import', 'base.ndjson']);
      await inProcess(original, ['exec', 'OpenAccount', '{"accountId":"s1","owner":"Sealed One"}']);
      const exported = await inProcess(original, ['export', '--keys', 'keys.ndjson']);
      writeFileSync(join(dir, 'events.ndjson'), exported.stdout);

      /** A copy of the original store, its projections run, as the commands find it. */
      const copy = async (name: string) => {
        const store = await storeFor(name);
        await inProcess(store, ['import', 'events.ndjson', '--keys', 'keys.ndjson']);
        await inProcess(store, ['projections', 'run']);
        return store;
      };
      const log = async (store: StoreUnderTest) =>
        comparable(parseNdjson((await inProcess(store, ['log'])).stdout) as Logged[]);
      const readModel = async (store: StoreUnderTest) =>
        (
          await Promise.all(
            ['SELECT * FROM accounts ORDER BY 1', 'SELECT * FROM stream_events ORDER BY 1'].map(
              async (sql) => (await inProcess(store, ['query', sql, '--format', 'json'])).stdout,
            ),
          )
        ).join('');

      // The uninterrupted run, spawned as the killed ones are, which also times each command.
      const reference = await copy('reference.db');
      const expected = [await log(reference)];
      const lifetimes: number[] = [];
      for (const action of ACTIONS) {
        const started = Date.now();
        const result = await killAfter(spawnOn(reference, dir, action), 600_000);
        expect(result.code, `${action.join(' ')}: ${result.stderr}`).toBe(0);
        lifetimes.push(Date.now() - started);
        expected.push(await log(reference));
      }
      await inProcess(reference, ['projections', 'run']);
      const expectedReadModel = await readModel(reference);

      const victim = await copy('victim.db');
      const settled = await settling(victim, backend);
      for (const [step, action] of ACTIONS.entries()) {
        let done = false;
        for (let kill = 0; kill < sizes.kills && !done; kill += 1) {
          const delay = Math.floor(random() * lifetimes[step]! * 1.1);
          const outcome = await killAfter(spawnOn(victim, dir, action), delay);
          await settled();
          const context = `${action.join(' ')} killed after ${delay} ms (seed ${seed})`;
          expect([0, null], `${context}: ${outcome.stderr}`).toContain(outcome.code);
          await inProcess(victim, ['verify']);
          const now = await log(victim);
          done = sameAs(now, expected[step + 1]!);
          if (!done) expect(now, `${context}: neither before nor after`).toEqual(expected[step]);
        }
        if (!done) {
          const finished = await killAfter(spawnOn(victim, dir, action), 600_000);
          expect(finished.code, finished.stderr).toBe(0);
          expect(await log(victim)).toEqual(expected[step + 1]);
        }
      }
      await inProcess(victim, ['projections', 'run']);
      expect(await readModel(victim)).toBe(expectedReadModel);
      await inProcess(victim, ['verify']);
    },
  );
});

function spawnOn(store: StoreUnderTest, dir: string, action: readonly string[]) {
  return startCli(['--domain', 'domain.mjs', ...action], { cwd: dir, env: store.env });
}

function sameAs(actual: unknown, expected: unknown): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/**
 * What to wait for after a kill: on PostgreSQL, until the killed client's session is gone
 * (the server rolls back what it had not committed, or finishes a commit it was sent).
 */
async function settling(store: StoreUnderTest, backend: Backend): Promise<() => Promise<void>> {
  if (backend.name === 'sqlite') return async () => {};
  const client = await pgClient(store.db);
  cleanups.push(() => client.end().catch(() => {}));
  return () => pgOthersGone(client);
}
