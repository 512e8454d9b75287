import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';

// `log --category`, `--stream-prefix`, `--since` and `--correlation-id`, in process on each
// backend, over an imported log whose times, correlations and causes are known.

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
// [stream, metadata, minute]: c-1 is a command whose events caused a reaction (4), which
// caused another (6); 5 names a cause outside c-1; 7 is another command's.
const LOG: [string, Record<string, unknown>, number][] = [
  ['account-1', { correlationId: 'c-1' }, 0],
  ['account-2', { correlationId: 'c-1' }, 1],
  ['order-1', {}, 2],
  ['email-1', { correlationId: 'c-9', causationId: ID(2) }, 3],
  ['email-2', { causationId: ID(3) }, 4],
  ['audit-1', { causationId: ID(4) }, 5],
  ['account-10', { correlationId: 'c-2' }, 6],
  ['$eventlite', {}, 7],
];

describe.each(backends())('log filters on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) =>
    runOn(store, args, { cwd: folder.dir, ...(input !== undefined && { input }) });
  const positions = async (...flags: string[]) => {
    const result = await cli(['log', '--format', 'ndjson', ...flags]);
    expect(result.code, result.stderr).toBe(0);
    return (parseNdjson(result.stdout) as { position: number }[]).map((event) => event.position);
  };

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    const lines = LOG.map(([stream, metadata, minute], index) =>
      JSON.stringify({
        stream,
        type: 'Happened',
        id: ID(index + 1),
        data: {},
        metadata,
        recordedAt: `2026-11-26T10:0${minute}:00.000Z`,
      }),
    );
    expect((await cli(['import', '-'], `${lines.join('\n')}\n`)).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('--category: streams named CATEGORY or CATEGORY-…', async () => {
    expect(await positions('--category', 'account')).toEqual([1, 2, 7]);
    expect(await positions('--category', '$eventlite')).toEqual([8]);
  });

  it('--stream-prefix: names that start so, with --type and --from', async () => {
    expect(await positions('--stream-prefix', 'account-1')).toEqual([1, 7]);
    expect(await positions('--stream-prefix', 'e', '--from', '5')).toEqual([5]);
    expect(await positions('--stream-prefix', 'e', '--type', 'Other')).toEqual([]);
  });

  it('--since: a time, a date, or a duration before now (as --clock says it is)', async () => {
    expect(await positions('--since', '2026-11-26T10:05:00Z')).toEqual([6, 7, 8]);
    expect(await positions('--since', '2026-11-26T11:05+01:00')).toEqual([6, 7, 8]);
    expect(await positions('--since', '2026-11-27')).toEqual([]);
    expect(await positions('--clock', '2026-11-26T10:08:00Z', '--since', '2m')).toEqual([7, 8]);
  });

  it("--correlation-id: one command's events and all they caused, however far down", async () => {
    expect(await positions('--correlation-id', 'c-1')).toEqual([1, 2, 4, 6]);
    expect(await positions('--correlation-id', 'c-1', '--limit', '3')).toEqual([1, 2, 4]);
    expect(await positions('--correlation-id', 'c-9')).toEqual([4, 6]);
    expect(await positions('--correlation-id', 'nobody')).toEqual([]);
  });

  it.each([
    [
      ['--category', 'account-1'],
      'error: --category must be a category: the part of a stream name before its first "-", got "account-1"\n',
    ],
    [
      ['--since', 'yesterday'],
      'error: --since must be a time with its zone (2026-11-26T10:00:00Z), a date (2026-11-26) or a duration before now (15m, 2h, 7d), got "yesterday"\n',
    ],
    [
      ['--correlation-id', ''],
      'error: --correlation-id must be 1 to 200 printable characters, got ""\n',
    ],
    [['--stream-prefix', ''], 'error: --stream-prefix must not be empty\n'],
  ])('%j is refused with exit 2', async (flags, stderr) => {
    const result = await cli(['log', ...flags]);
    expect([result.code, result.stdout, result.stderr]).toEqual([2, '', stderr]);
  });
});
