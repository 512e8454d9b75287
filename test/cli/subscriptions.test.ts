import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';

// `subscribe` and `subscriptions` in process, on each backend: the consumer is a real command
// (sh, cat), whose output comes back through the CLI's stdout. Spawned runs, signals, kills
// and consumer groups are in test/e2e/subscribe-*.test.ts.

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const LINES = [
  ['account-1', 'Deposited'],
  ['account-2', 'Deposited'],
  ['order-1', 'Placed'],
  ['account-1', 'Withdrawn'],
  ['$eventlite', 'StreamDeleted'],
  ['account-2', 'Deposited'],
].map(([stream, type], index) =>
  JSON.stringify({
    stream,
    type,
    id: ID(index + 1),
    data: { n: index + 1 },
    metadata: {},
    recordedAt: `2026-11-26T10:0${index}:00.000Z`,
  }),
);

describe.each(backends())('subscribe and subscriptions on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) =>
    runOn(store, args, { cwd: folder.dir, ...(input !== undefined && { input }) });

  /** The log's lines at these positions, as `log --format ndjson` prints them. */
  async function logLines(...positions: number[]): Promise<string> {
    const log = await cli(['log', '--format', 'ndjson']);
    const lines = log.stdout.split('\n').filter((line) => line !== '');
    return positions.map((position) => `${lines[position - 1]}\n`).join('');
  }

  async function listed(name?: string): Promise<Record<string, unknown>[]> {
    const result = await cli(['subscriptions', ...(name ? [name] : []), '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>[];
  }

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
    const imported = await cli(['import', '-'], `${LINES.join('\n')}\n`);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it("hands the command the events as NDJSON on stdin, the store's own streams left out", async () => {
    const result = await cli(['subscribe', 'copy', '--', 'cat']);
    expect(result).toMatchObject({
      code: 0,
      stdout: await logLines(1, 2, 3, 4, 6),
      stderr: 'subscription "copy": 5 events delivered (1 command run); at position 6\n',
    });
    const again = await cli(['subscribe', 'copy', '--', 'cat']);
    expect([again.code, again.stdout]).toEqual([0, '']);
    expect(again.stderr).toBe(
      'subscription "copy": 0 events delivered (0 command runs); at position 6\n',
    );
    await cli(['append', 'order-2', 'Placed', '{}']);
    const later = await cli(['subscribe', 'copy', '-q', '--', 'cat']);
    expect([later.code, later.stderr]).toEqual([0, '']);
    expect(parseNdjson(later.stdout)).toMatchObject([{ position: 7, stream: 'order-2' }]);
  });

  it('runs the command once per --batch, telling it where it is in its environment', async () => {
    const script =
      'echo "$EVENTLITE_SUBSCRIPTION $EVENTLITE_MEMBER/$EVENTLITE_GROUP_SIZE $EVENTLITE_FIRST_POSITION-$EVENTLITE_LAST_POSITION #$EVENTLITE_ATTEMPT"; cat > /dev/null';
    const result = await cli(['subscribe', 'web', '--batch', '2', '--', 'sh', '-c', script]);
    expect([result.code, result.stdout]).toEqual([
      0,
      'web 0/1 1-2 #1\nweb 0/1 3-4 #1\nweb 0/1 6-6 #1\n',
    ]);
  });

  it.each([
    [
      ['--category', 'account'],
      [1, 2, 4, 6],
    ],
    [['--stream-prefix', 'order-'], [3]],
    [
      ['--type', 'Deposited', '--type', 'Placed'],
      [1, 2, 3, 6],
    ],
    [['--include-system'], [1, 2, 3, 4, 5, 6]],
    [['--category', '$eventlite'], [5]],
    [
      ['--from', '4'],
      [4, 6],
    ],
    [['--from', 'end'], []],
  ])('%j delivers %j', async (flags, positions) => {
    const result = await cli(['subscribe', 'some', ...flags, '--', 'cat']);
    expect(result.code, result.stderr).toBe(0);
    expect((parseNdjson(result.stdout) as { position: number }[]).map((e) => e.position)).toEqual(
      positions,
    );
    expect(await listed('some')).toMatchObject([{ checkpoint: 6, lag: 0 }]);
  });

  it('keeps the filter and group it was made with, and --from only applies when new', async () => {
    expect((await cli(['subscribe', 'acc', '--category', 'account', '--', 'true'])).code).toBe(0);
    const other = await cli(['subscribe', 'acc', '--type', 'Placed', '--', 'true']);
    expect([other.code, other.stderr]).toEqual([
      2,
      'error: subscription "acc" delivers only --category account; this run asks for only --type Placed: use another name, or drop it first (eventlite subscriptions drop acc)\n',
    ]);
    const group = await cli([
      'subscribe',
      'acc',
      '--category',
      'account',
      '--member',
      '0',
      '--of',
      '2',
      '--',
      'true',
    ]);
    expect([group.code, group.stderr]).toEqual([
      2,
      'error: subscription "acc" is split among 1 member (no --member/--of); this run asks for --of 2: use another name, or drop it first (eventlite subscriptions drop acc)\n',
    ]);
    const from = await cli([
      'subscribe',
      'acc',
      '--category',
      'account',
      '--from',
      '2',
      '--',
      'true',
    ]);
    expect([from.code, from.stderr.split('\n')[0]]).toEqual([
      0,
      'subscription "acc" exists (at position 6); --from applies to a new subscription only',
    ]);
  });

  it.each([
    [
      ['subscribe', 'x', '--member', '1', '--', 'true'],
      2,
      'error: --member and --of go together: --member I --of N, with 0 <= I < N\n',
    ],
    [
      ['subscribe', 'x', '--member', '2', '--of', '2', '--', 'true'],
      2,
      'error: --member must be less than --of (members are 0 to 1), got 2\n',
    ],
    [
      ['subscribe', 'x', '--batch', '0', '--', 'true'],
      2,
      'error: --batch must be a positive integer, got "0"\n',
    ],
    [
      ['subscribe', 'x', '--category', 'account-1', '--', 'true'],
      2,
      'error: --category must be a category: the part of a stream name before its first "-", got "account-1"\n',
    ],
    [
      ['subscribe', 'x', '--from', 'start', '--', 'true'],
      2,
      'error: --from must be a positive integer, got "start"\n',
    ],
    [
      ['subscribe', 'x', '--', 'no-such-command-here'],
      5,
      'error: cannot run "no-such-command-here": no such command in PATH\n',
    ],
    [
      ['subscribe', 'x', '--', './missing.sh'],
      5,
      'error: cannot run "./missing.sh": no executable file there\n',
    ],
    [
      ['subscriptions', 'parked', 'nobody'],
      5,
      'error: no subscription "nobody" (eventlite subscriptions lists them; eventlite subscribe nobody -- COMMAND makes it)\n',
    ],
    [
      ['subscriptions', 'retry', 'nobody'],
      5,
      'error: no subscription "nobody" (eventlite subscriptions lists them; eventlite subscribe nobody -- COMMAND makes it)\n',
    ],
  ])('%j: exit %i, one line, nothing made', async (args, code, stderr) => {
    const result = await cli(args);
    expect([result.code, result.stderr, result.stdout]).toEqual([code, stderr, '']);
    expect(await listed()).toEqual([]);
  });

  it('a failing command stops the run with exit 1 and acknowledges nothing', async () => {
    const result = await cli([
      'subscribe',
      'web',
      '--batch',
      '4',
      '--',
      'sh',
      '-c',
      'cat > /dev/null; echo no >&2; exit 3',
    ]);
    expect([result.code, result.stderr]).toEqual([
      1,
      'no\nerror: subscription "web": the consumer failed on events 1 to 4 (exit code 3); nothing of them was acknowledged, so the next run delivers them again\n',
    ]);
    expect(await listed()).toMatchObject([{ name: 'web', checkpoint: 0, lag: 6 }]);
    const json = await cli(['subscribe', 'web', '--format', 'json', '--', 'false']);
    expect(json.code).toBe(2);
  });

  it('parks a poison event with the later events of its stream; the rest flows; retry delivers them again', async () => {
    writeFileSync(
      join(folder.dir, 'consumer.sh'),
      '#!/bin/sh\ninput=$(cat)\nif echo "$input" | grep -q Withdrawn; then echo "refused" >&2; exit 4; fi\necho "$input" | sed "s/.*\\"position\\":\\([0-9]*\\).*/got \\1/"\n',
      { mode: 0o755 },
    );
    const run = await cli(['subscribe', 'web', '--on-error', 'park', '--', './consumer.sh']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('got 1\ngot 2\ngot 3\ngot 6\n');
    await cli(['append', 'account-1', 'Deposited', '{}']);
    expect(
      (await cli(['subscribe', 'web', '--on-error', 'park', '--', './consumer.sh'])).stdout,
    ).toBe('');
    const parked = await cli(['subscriptions', 'parked', 'web', '--format', 'json']);
    expect(JSON.parse(parked.stdout)).toEqual([
      {
        position: 4,
        stream: 'account-1',
        type: 'Withdrawn',
        kind: 'parked',
        member: 0,
        attempts: 1,
        queued: false,
        at: expect.any(String),
        error: 'the consumer failed: exit code 4',
      },
      {
        position: 7,
        stream: 'account-1',
        type: 'Deposited',
        kind: 'parked',
        member: 0,
        attempts: 0,
        queued: false,
        at: expect.any(String),
        error: 'waiting behind the parked event at position 4 of its stream',
      },
    ]);
    expect(await listed()).toMatchObject([{ name: 'web', checkpoint: 7, parked: 2, skipped: 0 }]);
    const retry = await cli(['subscriptions', 'retry', 'web']);
    expect([retry.code, retry.stderr]).toEqual([
      0,
      'subscription "web": 2 events queued to be delivered again, before new ones\n',
    ]);
    const fixed = await cli([
      'subscribe',
      'web',
      '--',
      'sh',
      '-c',
      'grep -o "\\"position\\":[0-9]*"',
    ]);
    expect([fixed.code, fixed.stdout]).toEqual([0, '"position":4\n"position":7\n']);
    expect(await listed()).toMatchObject([{ checkpoint: 7, parked: 0 }]);
    const none = await cli(['subscriptions', 'retry', 'web']);
    expect(none.stderr).toBe('subscription "web": nothing to deliver again\n');
  });

  it('skip records the event and goes on with its stream', async () => {
    const run = await cli([
      'subscribe',
      'web',
      '--on-error',
      'skip',
      '--',
      'sh',
      '-c',
      'if grep -q Withdrawn; then exit 4; fi',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const parked = await cli(['subscriptions', 'parked', 'web', '--format', 'ndjson']);
    expect(parseNdjson(parked.stdout)).toMatchObject([{ position: 4, kind: 'skipped' }]);
    expect(await listed()).toMatchObject([{ checkpoint: 6, parked: 0, skipped: 1 }]);
    const retry = await cli(['subscriptions', 'retry', 'web', '--skipped']);
    expect(retry.stderr).toBe(
      'subscription "web": 1 event queued to be delivered again, before new ones\n',
    );
  });

  it('lists subscriptions a row per member, as a table too, and drops one', async () => {
    await cli([
      'subscribe',
      'grp',
      '--member',
      '1',
      '--of',
      '2',
      '--category',
      'account',
      '--',
      'true',
    ]);
    await cli(['subscribe', 'all', '--batch', '2', '--from', '3', '--', 'true']);
    expect(await listed()).toEqual([
      {
        name: 'all',
        member: 0,
        of: 1,
        checkpoint: 6,
        head: 6,
        lag: 0,
        parked: 0,
        skipped: 0,
        filter: '',
        lastAckAt: expect.any(String),
      },
      {
        name: 'grp',
        member: 1,
        of: 2,
        checkpoint: 6,
        head: 6,
        lag: 0,
        parked: 0,
        skipped: 0,
        filter: '--category account',
        lastAckAt: expect.any(String),
      },
    ]);
    const table = await cli(['subscriptions', '--format', 'table']);
    expect(table.stdout.split('\n')[1]).toMatch(/name\s+│\s+member\s+│\s+of\s+│\s+checkpoint/);
    const refused = await cli(['subscriptions', 'drop', 'grp']);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      'error: drop forgets subscription "grp": its next run delivers every event again: give --yes to confirm (stdin is not a terminal to ask on)\n',
    ]);
    const dropped = await cli(['subscriptions', 'drop', 'grp', '--yes']);
    expect([dropped.code, dropped.stderr]).toEqual([0, 'dropped subscription "grp"\n']);
    expect((await listed()).map((row) => row.name)).toEqual(['all']);
  });
});
