import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// Many processes deciding on one stream at once: optimistic concurrency plus re-deciding on
// a conflict must lose no deposit and double none. On a SQLite file, and on PostgreSQL, where
// the processes are clients of one server. The deciders are spawned; set-up and the checks
// run the CLI in process (the same output, without a Node start-up each).

let folder: ReturnType<typeof tempDir>;
let store: StoreUnderTest;
const cli = (args: string[]) => spawnCli(args, { cwd: folder.dir, env: store.env });
const inProcess = (args: string[]) => runInProcess(args, { cwd: folder.dir, env: store.env });

for (const backend of backends()) {
  describe(backend.name, () => {
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
    });
    afterEach(async () => {
      await store.cleanup();
      folder.cleanup();
    });

    it('8 processes × 3 deposits on one account all succeed, and the balance is exact', async () => {
      expect((await inProcess(['init', '--example', 'bank'])).code).toBe(0);
      expect(
        (await inProcess(['exec', 'OpenAccount', '{"accountId":"shared","owner":"All"}'])).code,
      ).toBe(0);
      const workers = Array.from({ length: 8 }, async (_, worker) => {
        const codes: (number | null)[] = [];
        for (let round = 1; round <= 3; round += 1) {
          const amount = worker * 10 + round; // every deposit distinct, so a lost one would show
          const result = await cli([
            'exec',
            'Deposit',
            JSON.stringify({ accountId: 'shared', amount }),
            '--quiet',
          ]);
          if (result.code !== 0) throw new Error(`worker ${worker}: ${result.stderr}`);
          codes.push(result.code);
        }
        return codes;
      });
      expect((await Promise.all(workers)).flat()).toEqual(Array(24).fill(0));

      let expected = 0;
      for (let worker = 0; worker < 8; worker += 1)
        for (let round = 1; round <= 3; round += 1) expected += worker * 10 + round;
      const state = await inProcess(['state', 'account-shared', '--format', 'ndjson']);
      expect(JSON.parse(state.stdout)).toEqual({ open: true, owner: 'All', balance: expected });

      const verify = await inProcess(['verify', '--format', 'ndjson']);
      expect(verify.code).toBe(0);
      const streams = await inProcess(['streams', '--format', 'ndjson']);
      expect(JSON.parse(streams.stdout)).toMatchObject({ stream: 'account-shared', version: 25 });
    });
  });
}
