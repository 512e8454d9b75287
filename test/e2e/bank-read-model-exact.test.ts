import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, spawnCli, tempDir } from '../helpers/cli.js';

// The bank example's read model holds the balance its events carry, to the cent, on every
// backend: `query` gives what `state` folds. (Balances past 2^17 need more than a 4-byte float.)

let folder: ReturnType<typeof tempDir>;
let store: StoreUnderTest;
const cli = (args: string[]) => spawnCli(args, { cwd: folder.dir, env: store.env });

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

    it('account_summary keeps a balance of 150000.01 exact', async () => {
      expect((await cli(['init', '--example', 'bank', '--quiet'])).code).toBe(0);
      const replay = [
        { command: 'OpenAccount', data: { accountId: 'big', owner: 'Big' } },
        { command: 'Deposit', data: { accountId: 'big', amount: 149_999.99 } },
        { command: 'Deposit', data: { accountId: 'big', amount: 0.02 } },
      ];
      const replayed = await spawnCli(['replay', '-', '--quiet'], {
        cwd: folder.dir,
        env: store.env,
        input: replay.map((line) => JSON.stringify(line)).join('\n') + '\n',
      });
      expect(replayed.code, replayed.stderr).toBe(0);
      const state = await cli(['state', 'account-big', '--format', 'ndjson']);
      expect(JSON.parse(state.stdout)).toMatchObject({ balance: 150_000.01 });
      const run = await cli(['projections', 'run', '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      const query = await cli([
        'query',
        "SELECT account_id, balance FROM account_summary WHERE account_id = 'big'",
        '--format',
        'ndjson',
      ]);
      expect(query.code, query.stderr).toBe(0);
      expect(parseNdjson(query.stdout)).toEqual([{ account_id: 'big', balance: 150_000.01 }]);
    });
  });
}
