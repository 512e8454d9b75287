import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLifecycleDomain } from '../cli/lifecycle-domain.js';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { collect, parseNdjson, shellStatus, startCli, tempDir } from '../helpers/cli.js';

// A running `projections run --follow` rebuilds a projection that a lifecycle command made
// stale, without being restarted: after a forget, the read model shows "[forgotten]"; after a
// hard delete, the stream's rows are gone, from the projection rebuilt and from the one that
// handles the audit event itself.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(backends())(
  'projections run --follow after lifecycle commands, on $name',
  (backend) => {
    it('rebuilds what they made stale while it runs', async () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const store: StoreUnderTest = await backend.freshStore();
      cleanups.push(() => store.cleanup());
      writeLifecycleDomain(dir);
      const cli = async (args: readonly string[]) => {
        const result = await runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        return result;
      };
      const lines = [
        { command: 'OpenAccount', data: { accountId: 'a1', owner: 'Ada' } },
        { command: 'OpenAccount', data: { accountId: 'a2', owner: 'Bob' } },
        { command: 'Deposit', data: { accountId: 'a2', amount: 4 } },
      ];
      writeFileSync(
        join(dir, 'story.ndjson'),
        lines.map((line) => JSON.stringify(line)).join('\n'),
      );
      await cli(['replay', 'story.ndjson', '--quiet']);

      const follower = startCli(['--domain', 'domain.mjs', 'projections', 'run', '--follow'], {
        cwd: dir,
        env: store.env,
      });
      const ended = collect(follower);
      cleanups.push(() => void follower.kill('SIGKILL'));
      const rowsOf = async (sql: string) =>
        parseNdjson((await cli(['query', sql, '--format', 'ndjson'])).stdout);
      const eventually = async (sql: string, expected: unknown[]) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const rows = await rowsOf(sql).catch(() => undefined);
          if (JSON.stringify(rows) === JSON.stringify(expected)) return;
          if (Date.now() > deadline) expect(rows, sql).toEqual(expected);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const owners = 'SELECT account_id, owner FROM accounts ORDER BY 1';
      await eventually(owners, [
        { account_id: 'a1', owner: 'Ada' },
        { account_id: 'a2', owner: 'Bob' },
      ]);

      await cli(['forget', 'a1', '--yes']);
      await eventually(owners, [
        { account_id: 'a1', owner: '[forgotten]' },
        { account_id: 'a2', owner: 'Bob' },
      ]);
      await cli(['streams', 'delete', 'account-a2', '--hard', '--yes']);
      await eventually(owners, [{ account_id: 'a1', owner: '[forgotten]' }]);
      await eventually('SELECT stream, events FROM stream_events ORDER BY 1', [
        { stream: 'account-a1', events: 1 },
      ]);

      follower.kill('SIGTERM');
      const result = await ended;
      expect(shellStatus(result), result.stderr).toBe(143);
      expect(result.stderr).toContain(
        'rebuilding projection "accounts" from event 1 (subject "a1" was forgotten at position 4)',
      );
      expect(result.stderr).toContain(
        'rebuilding projection "accounts" from event 1 (stream "account-a2" was deleted for good at position 5)',
      );
      expect(result.stderr).not.toContain('rebuilding projection "stream_events"');
    });
  },
);
