import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { collect, spawnCli, startCli, tempDir } from '../helpers/cli.js';
import {
  checkpointOf,
  deliveredIn,
  expectAtLeastOnceInOrder,
  expectCheckpointAcknowledged,
  importEvents,
  messageDbMember,
  sleep,
  storedEvents,
  STRESS,
} from './subscribe-helpers.js';

// At-least-once delivery through the built binary, on each backend: the subscriber killed
// with SIGKILL at random moments while events keep arriving, and a consumer that fails at
// random (exit 1) or is killed at random (SIGKILL, after taking part of its batch). After every
// kill the checkpoint must not be past an event the consumer did not get; at the end every
// event was delivered at least once, in order per stream. Bigger runs: EVENTLITE_STRESS=1.

const EVENTS = Number(process.env.EVENTLITE_SUBSCRIBE_EVENTS ?? (STRESS ? 3000 : 240));
const KILLS = Number(process.env.EVENTLITE_SUBSCRIBE_KILLS ?? (STRESS ? 25 : 4));
const STREAMS = 23;
const BATCH = 7;

/** Fails one batch in eight (exit 1) and dies of SIGKILL in one in twelve, after 3 lines. */
const FLAKY_CONSUMER = `#!/bin/sh
r=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
if [ "$r" -lt 32 ]; then cat > /dev/null; exit 1; fi
if [ "$r" -lt 53 ]; then head -n 3 >> "$OUT"; kill -9 $$; fi
cat >> "$OUT"
`;

for (const backend of backends()) {
  describe(`subscribe under SIGKILL and a flaky consumer, on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    const env = () => ({ ...store.env, OUT: join(folder.dir, 'delivered.ndjson') });
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      writeFileSync(join(folder.dir, 'consumer.sh'), FLAKY_CONSUMER, { mode: 0o755 });
    });
    afterEach(async () => {
      // Consumers of killed subscribers finish their batch on their own: give them a moment.
      await sleep(200);
      await store.cleanup();
      folder.cleanup();
    });

    it(
      'delivers every event at least once, in order per stream, its checkpoint never ahead',
      { timeout: STRESS ? 1_800_000 : 240_000 },
      async () => {
        const half = Math.floor(EVENTS / 2);
        await importEvents(store, folder.dir, half, STREAMS);
        const perRound = Math.ceil((EVENTS - half) / KILLS);
        let imported = half;
        const subscribe = (follow: boolean) =>
          startCli(
            [
              'subscribe',
              'crash',
              ...(follow ? ['--follow'] : []),
              '--batch',
              String(BATCH),
              '--on-error',
              'retry',
              '--retries',
              '1000',
              '--backoff',
              '1',
              '--',
              './consumer.sh',
            ],
            { cwd: folder.dir, env: env() },
          );
        for (let kill = 0; kill < KILLS; kill += 1) {
          const subscriber = subscribe(true);
          const done = collect(subscriber);
          // Events arrive while it follows, then it dies at a random moment.
          const count = Math.min(perRound, EVENTS - imported);
          if (count > 0) await importEvents(store, folder.dir, count, STREAMS, imported + 1);
          imported += count;
          await sleep(300 + Math.random() * 2000);
          subscriber.kill('SIGKILL');
          const ended = await done;
          expect(ended.signal, ended.stderr).toBe('SIGKILL');
          await sleep(100);
          const checkpoint = await checkpointOf(store, folder.dir, 'crash');
          const expected = await storedEvents(store, folder.dir);
          expectCheckpointAcknowledged(checkpoint, deliveredIn(env().OUT), expected);
        }
        const last = await collect(subscribe(false));
        expect(last.code, last.stderr).toBe(0);
        const expected = await storedEvents(store, folder.dir);
        expect(expected).toHaveLength(EVENTS);
        expect(await checkpointOf(store, folder.dir, 'crash')).toBe(EVENTS);
        expectAtLeastOnceInOrder(deliveredIn(env().OUT), expected);
      },
    );

    it(
      'a consumer group of three: together every event, each stream to one member, as message-db splits them',
      { timeout: 240_000 },
      async () => {
        await importEvents(store, folder.dir, 120, STREAMS);
        const member = (index: number) =>
          collect(
            startCli(
              [
                'subscribe',
                'grp',
                '--member',
                String(index),
                '--of',
                '3',
                '--batch',
                '5',
                '--',
                'sh',
                '-c',
                `cat >> out-${index}.ndjson`,
              ],
              { cwd: folder.dir, env: store.env },
            ),
          );
        for (const round of [0, 1]) {
          if (round === 1) await importEvents(store, folder.dir, 60, STREAMS, 121);
          const ended = await Promise.all([0, 1, 2].map(member));
          for (const result of ended) expect(result.code, result.stderr).toBe(0);
        }
        const expected = await storedEvents(store, folder.dir);
        const outputs = [0, 1, 2].map((index) =>
          deliveredIn(join(folder.dir, `out-${index}.ndjson`)),
        );
        expectAtLeastOnceInOrder(outputs.flat(), expected);
        outputs.forEach((events, index) => {
          expect(events.length).toBeGreaterThan(0);
          for (const event of events)
            expect(messageDbMember(event.stream, 3), event.stream).toBe(index);
          // No stream's events went to two members, and nothing twice without a crash.
          expect(new Set(events.map((event) => event.position)).size).toBe(events.length);
        });
        expect(outputs.flat()).toHaveLength(expected.length);
        for (const index of [0, 1, 2]) {
          expect(await checkpointOf(store, folder.dir, 'grp', index)).toBe(180);
        }
        const listed = await spawnCli(['subscriptions', 'grp', '--format', 'json'], {
          cwd: folder.dir,
          env: store.env,
        });
        expect(
          (JSON.parse(listed.stdout) as { member: number; of: number }[]).map((row) => [
            row.member,
            row.of,
          ]),
        ).toEqual([
          [0, 3],
          [1, 3],
          [2, 3],
        ]);
      },
    );
  });
}
