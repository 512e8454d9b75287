import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// Scenarios that tell a story: `#` comments and blank lines, `"at"` on a line, and a clock
// given for a run (`--clock`, EVENTLITE_CLOCK); once per backend.

const template = bankTemplate();

const open = (id: string, owner: string, at?: string) =>
  JSON.stringify({ ...(at && { at }), command: 'OpenAccount', data: { accountId: id, owner } });
const deposit = (id: string, amount: number, at?: string) =>
  JSON.stringify({ ...(at && { at }), command: 'Deposit', data: { accountId: id, amount } });

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runOn(store, args, { cwd: folder.dir, ...options });
  const write = (name: string, lines: string[]) =>
    writeFileSync(join(folder.dir, name), lines.join('\n') + '\n');

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  async function times(): Promise<string[]> {
    const log = parseNdjson((await cli(['log', '--format', 'ndjson'])).stdout) as {
      recordedAt: string;
    }[];
    return log.map((event) => event.recordedAt);
  }

  describe('comments and blank lines', () => {
    it('skips # lines and blank lines, and file:line still counts them', async () => {
      write('story.ndjson', [
        '# The bank, in two lines',
        '',
        '  # an indented comment',
        open('acc-1', 'Ada'),
        '',
        '# and a withdrawal too big',
        JSON.stringify({ command: 'Withdraw', data: { accountId: 'acc-1', amount: 5 } }),
      ]);
      const result = await cli(['replay', 'story.ndjson', '--format', 'ndjson']);
      expect(result.code).toBe(4);
      expect(result.stderr).toBe(
        'replayed story.ndjson: 1 applied, 1 rejected, 1 event appended\n' +
          '{"error":{"exitCode":4,"kind":"rejected","reason":"InsufficientFunds","message":"story.ndjson:7: Withdraw rejected: InsufficientFunds: account acc-1 holds 0, cannot withdraw 5"}}\n',
      );
    });
  });

  describe('a clock for the run', () => {
    it('--clock records the first append at that time and each later one a second after', async () => {
      write('story.ndjson', [open('acc-1', 'Ada'), deposit('acc-1', 10), deposit('acc-1', 5)]);
      const result = await cli([
        '--clock',
        '2026-03-01T09:00:00Z',
        'replay',
        'story.ndjson',
        '--format',
        'ndjson',
      ]);
      expect([result.code, result.stderr]).toEqual([
        0,
        'replayed story.ndjson: 3 applied, 0 rejected, 3 events appended\n',
      ]);
      expect(await times()).toEqual([
        '2026-03-01T09:00:00.000Z',
        '2026-03-01T09:00:01.000Z',
        '2026-03-01T09:00:02.000Z',
      ]);
    });

    it('EVENTLITE_CLOCK does the same for append and exec, each run starting from it', async () => {
      const env = { EVENTLITE_CLOCK: '2026-03-01T09:00:00+01:00' };
      expect((await cli(['append', 'notes', 'Noted', '{}'], { env })).code).toBe(0);
      const exec = ['exec', 'OpenAccount', '{"accountId":"acc-1","owner":"Ada"}'];
      expect((await cli(exec, { env })).code).toBe(0);
      // The flag beats the environment.
      expect(
        (
          await cli(
            [
              '--clock',
              '2026-04-01',
              ...exec.slice(0, 1),
              'Deposit',
              '{"accountId":"acc-1","amount":1}',
            ],
            { env },
          )
        ).code,
      ).toBe(0);
      expect(await times()).toEqual([
        '2026-03-01T08:00:00.000Z',
        '2026-03-01T08:00:00.000Z',
        '2026-04-01T00:00:00.000Z',
      ]);
    });

    it('refuses a clock that is not an ISO 8601 instant with its zone, creating nothing', async () => {
      const flag = await cli(['--clock', '2026-03-01 09:00', 'append', 'notes', 'Noted', '{}']);
      expect([flag.code, flag.stdout, flag.stderr]).toEqual([
        2,
        '',
        'error: --clock must be an ISO 8601 time with its zone, such as 2026-03-01T09:00:00Z, got "2026-03-01 09:00"\n',
      ]);
      const env = await cli(['append', 'notes', 'Noted', '{}'], {
        env: { EVENTLITE_CLOCK: 'tomorrow' },
      });
      expect([env.code, env.stderr]).toEqual([
        2,
        'error: EVENTLITE_CLOCK must be an ISO 8601 time with its zone, such as 2026-03-01T09:00:00Z, got "tomorrow"\n',
      ]);
      expect(await storeExists(store.db, folder.dir)).toBe(false);
    });
  });

  describe('"at" on a scenario line', () => {
    it('records the line at that time; the lines after it follow a second apart', async () => {
      write('story.ndjson', [
        '# January',
        open('acc-1', 'Ada', '2026-01-05T09:00:00Z'),
        deposit('acc-1', 10),
        '# February: a raw event may say when, too',
        JSON.stringify({ at: '2026-02-01', stream: 'notes', type: 'Noted', data: {} }),
        deposit('acc-1', 5),
      ]);
      const result = await cli(['--clock', '2025-12-31T00:00:00Z', 'replay', 'story.ndjson']);
      expect([result.code, result.stderr]).toEqual([
        0,
        'replayed story.ndjson: 4 applied, 0 rejected, 4 events appended\n',
      ]);
      expect(await times()).toEqual([
        '2026-01-05T09:00:00.000Z',
        '2026-01-05T09:00:01.000Z',
        '2026-02-01T00:00:00.000Z',
        '2026-02-01T00:00:01.000Z',
      ]);
    });

    it('refuses an "at" earlier than the store\'s last event, naming the line; positions and times stay in order', async () => {
      write('first.ndjson', [open('acc-1', 'Ada', '2026-03-01T09:00:00Z')]);
      expect((await cli(['replay', 'first.ndjson'])).code).toBe(0);
      write('late.ndjson', [
        deposit('acc-1', 10, '2026-03-01T09:00:00Z'),
        deposit('acc-1', 20, '2026-02-01T00:00:00Z'),
        deposit('acc-1', 30, '2026-03-02T00:00:00Z'),
      ]);
      const result = await cli(['replay', 'late.ndjson', '--keep-going', '--format', 'ndjson']);
      expect([result.code, result.stderr]).toEqual([
        2,
        'late.ndjson:2: "at" 2026-02-01T00:00:00.000Z is earlier than the store\'s last event (2026-03-01T09:00:00.000Z); times must not go back\n' +
          'replayed late.ndjson: 2 applied, 0 rejected, 1 failed, 2 events appended\n' +
          '{"error":{"exitCode":2,"kind":"usage","message":"1 line failed; the first: late.ndjson:2: \\"at\\" 2026-02-01T00:00:00.000Z is earlier than the store\'s last event (2026-03-01T09:00:00.000Z); times must not go back"}}\n',
      ]);
      expect(await times()).toEqual([
        '2026-03-01T09:00:00.000Z',
        '2026-03-01T09:00:00.000Z',
        '2026-03-02T00:00:00.000Z',
      ]);
      const bad = await cli(['replay', '-'], {
        input: JSON.stringify({ at: 'March', command: 'Deposit', data: {} }) + '\n',
      });
      expect([bad.code, bad.stderr.split('\n').at(-2)]).toEqual([
        2,
        'error: stdin:1: "at" must be an ISO 8601 time with its zone, such as 2026-03-01T09:00:00Z, got "March"',
      ]);
    });
  });

  it("the orders example's scenario spans three months of monthly_customer_summary", async () => {
    rmSync(join(folder.dir, 'eventlite.config.ts'));
    rmSync(join(folder.dir, 'scenario.ndjson'));
    expect((await cli(['init', '--example', 'orders', '--force'])).code).toBe(0);
    expect(readFileSync(join(folder.dir, 'scenario.ndjson'), 'utf8')).toMatch(/^# /);
    const replay = await cli(['replay', 'scenario.ndjson', '--keep-going']);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toContain(
      'replayed scenario.ndjson: 12 applied, 2 rejected, 12 events appended\n',
    );
    expect((await cli(['projections', 'run'])).code).toBe(0);
    const query = await cli([
      'query',
      'SELECT customer_id, month, order_count, total_spent, avg_order_value FROM monthly_customer_summary ORDER BY customer_id, month',
      '--format',
      'csv',
    ]);
    expect(query.stdout).toBe(
      'customer_id,month,order_count,total_spent,avg_order_value\n' +
        'c-1,2026-01,1,12.6,12.6\n' +
        'c-1,2026-02,1,10,10\n' +
        'c-1,2026-03,2,30,15\n' +
        'c-2,2026-03,1,39,39\n',
    );
  });
});
