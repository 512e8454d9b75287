import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { collect, spawnCli, shellStatus } from '../helpers/cli.js';
import { projectionStore, type ProjectionStore } from '../helpers/projection-stores.js';
import { pgServerUrl } from '../helpers/postgres.js';
import { sleep } from '../projections/harness.js';

const EVENTS = 500;

for (const backend of backends()) {
  describe(`projections run, wait and the list (${backend.name})`, () => {
    let store: ProjectionStore;
    let dir: string;
    beforeAll(async () => {
      store = await projectionStore(backend, EVENTS);
      dir = store.dir;
    });
    afterAll(() => store?.cleanup());
    const checkpoint = () => store.readModels.checkpoint();
    const readModel = () => store.readModels.readModel();

    it('lists a never-run projection as behind without creating the read database', async () => {
      const listed = await store.cli(['projections', '--format', 'json']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual([
        {
          name: 'account_summary',
          version: 1,
          status: 'behind',
          checkpoint: 0,
          head: EVENTS,
          lag: EVENTS,
          lastRunAt: null,
          parked: 0,
          skipped: 0,
          detail: 'never run',
        },
      ]);
      expect(await store.readModels.exist()).toBe(false);
      const one = await store.cli(['projections', 'account_summary', '--format', 'ndjson']);
      expect(one.code, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout)).toMatchObject({ name: 'account_summary', status: 'behind' });
      const unknown = await store.cli(['projections', 'nope', '--format', 'json']);
      expect(unknown).toMatchObject({ code: 5, stdout: '' });
      // With --format json, the failure is one JSON object on stderr.
      expect(unknown.stderr).toBe(
        '{"error":{"exitCode":5,"kind":"not-found","message":"no projection named \\"nope\\" (the domain defines: account_summary)"}}\n',
      );
    });

    it('refuses bad input with exit 2 or 5 and one line, changing nothing', async () => {
      const cases: [string[], number, string][] = [
        [
          ['projections', 'run', '--batch-size', 'ten'],
          2,
          'error: --batch-size must be a positive integer, got "ten"\n',
        ],
        [
          ['projections', 'run', '--until', '0'],
          2,
          'error: --until must be a positive integer, got "0"\n',
        ],
        [
          ['projections', 'run', '--follow', '--until', '5'],
          2,
          'error: --follow and --until cannot be combined\n',
        ],
        [
          ['projections', 'wait', '--timeout', 'soon'],
          2,
          'error: --timeout must be a number of seconds, got "soon"\n',
        ],
        [
          ['projections', 'run', 'nope'],
          5,
          'error: no projection named "nope" (the domain defines: account_summary)\n',
        ],
        [['--db', 'missing.db', 'projections', 'run'], 5, ''],
      ];
      if (backend.name === 'postgres') {
        // A database with no store in it, on the same server.
        const missing = new URL(pgServerUrl());
        missing.pathname = '/eventlite_test_no_such_database';
        cases.push([['--db', missing.toString(), 'projections', 'run'], 5, '']);
      }
      for (const [args, code, stderr] of cases) {
        const result = await store.cli(args);
        expect(result.code, args.join(' ')).toBe(code);
        if (stderr) expect(result.stderr).toBe(stderr);
        else expect(result.stderr.split('\n')).toHaveLength(2);
      }
      const noDomain = await spawnCli(['projections', 'run'], { cwd: dir, env: store.env });
      expect(noDomain.code).toBe(2);
      expect(noDomain.stderr).toContain('no domain module');
      expect(await store.readModels.exist()).toBe(false);
    });

    it('--until stops at a position: the read model as of that event', async () => {
      const result = await store.cli(['projections', 'run', '--until', '120']);
      expect(result.code, result.stderr).toBe(0);
      expect(await checkpoint()).toBe(120);
      expect((await readModel()).applied.count).toBe(120);
      const listed = await store.cli(['projections', '--format', 'ndjson']);
      expect(JSON.parse(listed.stdout)).toMatchObject({
        status: 'behind',
        checkpoint: 120,
        lag: EVENTS - 120,
      });
    });

    it('wait times out with exit 6 while behind, and returns 0 once a runner has caught up', async () => {
      const timedOut = await store.cli(['projections', 'wait', '--timeout', '0.3']);
      expect(timedOut.code).toBe(6);
      expect(timedOut.stderr).toBe(
        `error: projections did not reach position ${EVENTS} within 0.3 s: account_summary (at 120); nothing moved their checkpoints meanwhile, so nothing seems to be running them: run "eventlite projections run" (or keep "eventlite projections run --follow" going) and wait again\n`,
      );
      const waiting = collect(store.start(['projections', 'wait', '--timeout', '20']));
      await sleep(300);
      expect((await store.cli(['projections', 'run'])).code).toBe(0);
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(await checkpoint()).toBe(EVENTS);
    });

    it('--follow picks up new commits within a fraction of a second and ends with 143 on SIGTERM', async () => {
      const follower = store.start(['projections', 'run', '--follow']);
      const exited = collect(follower);
      await sleep(400);
      // Spawned, as a user's other shell would: the follower has started by the time it lands.
      const appended = await spawnCli(
        [
          '--domain',
          'domain.mjs',
          'append',
          'account-a1',
          'MoneyDeposited',
          '{"accountId":"a1","amount":1000}',
        ],
        { cwd: dir, env: store.env },
      );
      expect(appended.code, appended.stderr).toBe(0);
      const appendedAt = Date.now();
      while ((await checkpoint()) < EVENTS + 1 && Date.now() - appendedAt < 5000) await sleep(10);
      expect(Date.now() - appendedAt).toBeLessThan(1000);
      expect(await checkpoint()).toBe(EVENTS + 1);
      follower.kill('SIGTERM');
      // It runs user code, so it handles no signal: SIGTERM ends it (143 in a shell).
      expect(shellStatus(await exited)).toBe(143);
      const rich = await store.cli([
        'query',
        "SELECT balance FROM account_summary WHERE account_id = 'a1'",
        '--format',
        'json',
      ]);
      expect(JSON.parse(rich.stdout)[0].balance).toBeGreaterThan(1000);
    });

    it('status shows projection lag and verify checks that no checkpoint is past the head', async () => {
      const status = await store.cli(['status', '--format', 'json']);
      expect(JSON.parse(status.stdout)).toMatchObject({
        maxLag: 0,
        projections: [{ name: 'account_summary', status: 'ok', checkpoint: EVENTS + 1, lag: 0 }],
      });
      const verify = await store.cli(['verify', '--format', 'json']);
      expect(verify.code, verify.stdout).toBe(0);
      expect(JSON.parse(verify.stdout)).toContainEqual({
        check: 'checkpoints not past the head',
        ok: true,
        detail: `1 projection checkpoint at or before ${EVENTS + 1}`,
      });
      // The same read database against a smaller store: built from other events.
      const lines = readFileSync(join(dir, 'log.ndjson'), 'utf8').split('\n').slice(0, 10);
      writeFileSync(join(dir, 'small.ndjson'), `${lines.join('\n')}\n`);
      const small = await store.otherStore('small.db');
      expect((await store.cli(['--db', small, 'import', 'small.ndjson'])).code).toBe(0);
      const mismatched = await store.cli([
        '--db',
        small,
        '--read-db',
        store.readModels.readDb,
        'verify',
        '--format',
        'json',
      ]);
      expect(mismatched.code).toBe(1);
      expect(JSON.parse(mismatched.stdout)).toContainEqual({
        check: 'checkpoints not past the head',
        ok: false,
        detail: `"account_summary" is at ${EVENTS + 1}, head is 10`,
      });
    });
  });
}
