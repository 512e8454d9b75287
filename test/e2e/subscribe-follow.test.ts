import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { collect, spawnCli, shellStatus, startCli, tempDir } from '../helpers/cli.js';
import { checkpointOf, deliveredIn, importEvents, sleep } from './subscribe-helpers.js';

// `subscribe --follow` through the built binary, on each backend: new events reach the
// consumer as they are appended; the first Ctrl-C or SIGTERM lets the running batch finish and
// be acknowledged, then exits 130 or 143; a second one stops the consumer, whose batch is
// delivered again next time.

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

for (const backend of backends()) {
  describe(`subscribe --follow and its signals, on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    const path = (name: string) => join(folder.dir, name);
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      await importEvents(store, folder.dir, 10, 3);
    });
    afterEach(async () => {
      await store.cleanup();
      folder.cleanup();
    });

    it(
      'hands over events appended while it follows, without being asked again',
      { timeout: 120_000 },
      async () => {
        const follower = startCli(
          ['subscribe', 'live', '--follow', '--', 'sh', '-c', 'cat >> got.ndjson'],
          {
            cwd: folder.dir,
            env: store.env,
          },
        );
        const ended = collect(follower);
        await until(() => deliveredIn(path('got.ndjson')).length === 10, 'the first ten events');
        for (const n of [1, 2, 3]) {
          const appended = await spawnCli(['append', `live-${n}`, 'Noted', '{}'], {
            cwd: folder.dir,
            env: store.env,
          });
          expect(appended.code).toBe(0);
          await until(() => deliveredIn(path('got.ndjson')).length === 10 + n, `event ${10 + n}`);
        }
        follower.kill('SIGTERM');
        const result = await ended;
        expect(shellStatus(result)).toBe(143);
        expect(result.stderr).toBe(
          'SIGTERM: stopping once the running batch is acknowledged (again to stop it now; it is then delivered again next time)\nsubscription "live": 13 events delivered (4 command runs); at position 13\n',
        );
        expect(await checkpointOf(store, folder.dir, 'live')).toBe(13);
      },
    );

    it(
      'the first SIGTERM or Ctrl-C lets the running batch finish and acknowledges it',
      { timeout: 120_000 },
      async () => {
        for (const [signal, code] of [
          ['SIGTERM', 143],
          ['SIGINT', 130],
        ] as const) {
          const name = `slow-${code}`;
          const marker = path(`${name}.started`);
          const follower = startCli(
            [
              'subscribe',
              name,
              '--follow',
              '--',
              'sh',
              '-c',
              `cat > /dev/null; touch ${marker}; sleep 1; echo done >> ${name}.done`,
            ],
            { cwd: folder.dir, env: store.env },
          );
          const ended = collect(follower);
          await until(() => existsSync(marker), 'the consumer to start');
          follower.kill(signal);
          const result = await ended;
          expect(shellStatus(result), result.stderr).toBe(code);
          // It waited for the consumer, and acknowledged its batch.
          expect(readFileSync(path(`${name}.done`), 'utf8')).toBe('done\n');
          expect(await checkpointOf(store, folder.dir, name)).toBe(10);
        }
      },
    );

    it(
      'a second signal stops the consumer: nothing acknowledged, delivered again next time',
      { timeout: 120_000 },
      async () => {
        const marker = path('started');
        writeFileSync(path('stuck.sh'), `#!/bin/sh\ncat > /dev/null\ntouch ${marker}\nsleep 60\n`, {
          mode: 0o755,
        });
        const started = Date.now();
        const follower = startCli(['subscribe', 'stuck', '--follow', '--', './stuck.sh'], {
          cwd: folder.dir,
          env: store.env,
        });
        const ended = collect(follower);
        await until(() => existsSync(marker), 'the consumer to start');
        follower.kill('SIGINT');
        await sleep(200);
        follower.kill('SIGINT');
        const result = await ended;
        expect(shellStatus(result)).toBe(130);
        expect(Date.now() - started).toBeLessThan(60_000);
        expect(await checkpointOf(store, folder.dir, 'stuck')).toBe(0);
        const again = await spawnCli(
          ['subscribe', 'stuck', '--', 'sh', '-c', 'cat >> again.ndjson'],
          {
            cwd: folder.dir,
            env: store.env,
          },
        );
        expect(again.code, again.stderr).toBe(0);
        expect(deliveredIn(path('again.ndjson')).map((event) => event.position)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
      },
    );

    it(
      'a poison event is parked and the rest flows, while following',
      { timeout: 120_000 },
      async () => {
        writeFileSync(
          path('picky.sh'),
          '#!/bin/sh\ninput=$(cat)\nif echo "$input" | grep -q Poison; then exit 9; fi\necho "$input" >> got.ndjson\n',
          { mode: 0o755 },
        );
        const follower = startCli(
          ['subscribe', 'picky', '--follow', '--on-error', 'park', '--', './picky.sh'],
          {
            cwd: folder.dir,
            env: store.env,
          },
        );
        const ended = collect(follower);
        await until(() => deliveredIn(path('got.ndjson')).length === 10, 'the first ten events');
        const cli = (args: string[]) => spawnCli(args, { cwd: folder.dir, env: store.env });
        await cli(['append', 'order-9', 'Poison', '{}']);
        await cli(['append', 'order-9', 'Noted', '{}']);
        await cli(['append', 'order-8', 'Noted', '{}']);
        await until(
          () => deliveredIn(path('got.ndjson')).some((event) => event.position === 13),
          'event 13',
        );
        const parked = await cli(['subscriptions', 'parked', 'picky', '--format', 'json']);
        expect(
          (JSON.parse(parked.stdout) as { position: number; kind: string }[]).map((row) => [
            row.position,
            row.kind,
          ]),
        ).toEqual([
          [11, 'parked'],
          [12, 'parked'],
        ]);
        // Retried while it follows: the fixed consumer gets them at once, in order.
        writeFileSync(path('picky.sh'), '#!/bin/sh\ncat >> got.ndjson\n', { mode: 0o755 });
        expect((await cli(['subscriptions', 'retry', 'picky'])).code).toBe(0);
        await until(() => deliveredIn(path('got.ndjson')).length === 13, 'the parked events');
        expect(
          deliveredIn(path('got.ndjson'))
            .map((event) => event.position)
            .slice(10),
        ).toEqual([13, 11, 12]);
        follower.kill('SIGTERM');
        expect(shellStatus(await ended)).toBe(143);
      },
    );
  });
}
