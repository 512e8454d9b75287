import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, tempDir } from '../helpers/cli.js';
import { checkpointOf, cli, prepareStore, readModel, sleep } from '../projections/harness.js';

const EVENTS = 500;

describe('projections run, wait and the list', () => {
  const { dir, cleanup } = tempDir();
  const readDb = join(dir, 'eventlite.read.db');
  beforeAll(() => prepareStore(dir, EVENTS));
  afterAll(() => cleanup());

  it('lists a never-run projection as behind without creating the read database', async () => {
    const listed = await cli(dir, ['projections', '--format', 'json']);
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
        detail: 'never run',
      },
    ]);
    expect(existsSync(readDb)).toBe(false);
    const one = await cli(dir, ['projections', 'account_summary', '--format', 'ndjson']);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ name: 'account_summary', status: 'behind' });
    const unknown = await cli(dir, ['projections', 'nope', '--format', 'json']);
    expect(unknown).toMatchObject({ code: 5, stdout: '' });
    expect(unknown.stderr).toBe(
      'error: no projection named "nope" (the domain defines: account_summary)\n',
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
    for (const [args, code, stderr] of cases) {
      const result = await cli(dir, args);
      expect(result.code, args.join(' ')).toBe(code);
      if (stderr) expect(result.stderr).toBe(stderr);
      else expect(result.stderr.split('\n')).toHaveLength(2);
    }
    const noDomain = await runCli(['projections', 'run'], { cwd: dir });
    expect(noDomain.code).toBe(2);
    expect(noDomain.stderr).toContain('no domain module');
    expect(existsSync(readDb)).toBe(false);
  });

  it('--until stops at a position: the read model as of that event', async () => {
    const result = await cli(dir, ['projections', 'run', '--until', '120']);
    expect(result.code, result.stderr).toBe(0);
    expect(checkpointOf(readDb)).toBe(120);
    expect(readModel(readDb).applied.count).toBe(120);
    const listed = await cli(dir, ['projections', '--format', 'ndjson']);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      status: 'behind',
      checkpoint: 120,
      lag: EVENTS - 120,
    });
  });

  it('wait times out with exit 6 while behind, and returns 0 once a runner has caught up', async () => {
    const timedOut = await cli(dir, ['projections', 'wait', '--timeout', '0.3']);
    expect(timedOut.code).toBe(6);
    expect(timedOut.stderr).toBe(
      `error: projections did not reach position ${EVENTS} in time: account_summary (at 120)\n`,
    );
    const waiting = collect(
      startCli(['--domain', 'domain.mjs', 'projections', 'wait', '--timeout', '20'], { cwd: dir }),
    );
    await sleep(300);
    expect((await cli(dir, ['projections', 'run'])).code).toBe(0);
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(checkpointOf(readDb)).toBe(EVENTS);
  });

  it('--follow picks up new commits within a fraction of a second and ends with 130 on SIGTERM', async () => {
    const follower = startCli(['--domain', 'domain.mjs', 'projections', 'run', '--follow'], {
      cwd: dir,
    });
    const exited = collect(follower);
    await sleep(400);
    const appended = await cli(dir, [
      'append',
      'account-a1',
      'MoneyDeposited',
      '{"accountId":"a1","amount":1000}',
    ]);
    expect(appended.code, appended.stderr).toBe(0);
    const appendedAt = Date.now();
    while (checkpointOf(readDb) < EVENTS + 1 && Date.now() - appendedAt < 5000) await sleep(10);
    expect(Date.now() - appendedAt).toBeLessThan(1000);
    expect(checkpointOf(readDb)).toBe(EVENTS + 1);
    follower.kill('SIGTERM');
    const result = await exited;
    expect(result.code).toBe(130);
    const rich = await cli(dir, [
      'query',
      "SELECT balance FROM account_summary WHERE account_id = 'a1'",
      '--format',
      'json',
    ]);
    expect(JSON.parse(rich.stdout)[0].balance).toBeGreaterThan(1000);
  });

  it('status shows projection lag and verify checks that no checkpoint is past the head', async () => {
    const status = await cli(dir, ['status', '--format', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({
      maxLag: 0,
      projections: [{ name: 'account_summary', status: 'ok', checkpoint: EVENTS + 1, lag: 0 }],
    });
    const verify = await cli(dir, ['verify', '--format', 'json']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toContainEqual({
      check: 'checkpoints not past the head',
      ok: true,
      detail: `1 projection checkpoint at or before ${EVENTS + 1}`,
    });
    // The same read database against a smaller store: built from other events.
    const lines = readFileSync(join(dir, 'log.ndjson'), 'utf8').split('\n').slice(0, 10);
    writeFileSync(join(dir, 'small.ndjson'), `${lines.join('\n')}\n`);
    expect((await cli(dir, ['--db', 'small.db', 'import', 'small.ndjson'])).code).toBe(0);
    const mismatched = await cli(dir, [
      '--db',
      'small.db',
      '--read-db',
      'eventlite.read.db',
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
