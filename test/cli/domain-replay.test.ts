import { cpSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `replay` and `state` in process, on the bank example's own scenario; once per backend.

// The bank example's files, without a store: each test has a fresh one.
const template = bankTemplate();

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  async function log(): Promise<{ stream: string; type: string; data: any; metadata: any }[]> {
    return parseNdjson((await cli(['log', '--format', 'ndjson'])).stdout) as never;
  }

  describe('replay', () => {
    it('stops at the first failure, naming file:line, with the exit code of the failure', async () => {
      const result = await cli(['replay', 'scenario.ndjson', '--format', 'ndjson']);
      expect(result.code).toBe(4);
      expect(parseNdjson(result.stdout)).toHaveLength(5);
      expect(result.stderr).toBe(
        'replayed scenario.ndjson: 5 applied, 1 rejected, 5 events appended\n' +
          // With --format ndjson the failure is one JSON object, the reason kept through the replay.
          '{"error":{"exitCode":4,"kind":"rejected","reason":"InsufficientFunds","message":"scenario.ndjson:6: Withdraw rejected: InsufficientFunds: account acc-2 holds 50, cannot withdraw 80"}}\n',
      );
      expect(await log()).toHaveLength(5);
    });

    it('--keep-going tells the whole story: a rejection is reported and counted, and exit is 0', async () => {
      const result = await cli([
        'replay',
        'scenario.ndjson',
        '--keep-going',
        '--format',
        'ndjson',
        '--correlation-id',
        'lesson-1',
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        'scenario.ndjson:6: Withdraw rejected: InsufficientFunds: account acc-2 holds 50, cannot withdraw 80\n' +
          'replayed scenario.ndjson: 7 applied, 1 rejected, 7 events appended\n',
      );
      const printed = parseNdjson(result.stdout) as any[];
      const stored = await log();
      expect(printed).toEqual(stored);
      expect(new Set(stored.map((event) => event.metadata.correlationId))).toEqual(
        new Set(['lesson-1']),
      );
      expect(stored.map((event) => event.metadata.command)).toEqual([
        'OpenAccount',
        'Deposit',
        'OpenAccount',
        'Deposit',
        'Withdraw',
        'Deposit',
        'Withdraw',
      ]);
    });

    it('mixes commands and raw events from stdin, and exits with the first failure after --keep-going', async () => {
      const input = [
        '{"stream":"audit-1","type":"Noted","data":{"note":"raw events need no domain"},"expectedVersion":"no-stream"}',
        '{"command":"OpenAccount","data":{"accountId":"x","owner":"Xi"}}',
        '{"command":"OpenAccount"',
        '{"stream":"account-x","type":"MoneyDeposited","data":{"accountId":"x","amount":5,"balance":5},"expectedVersion":1}',
        '{"nothing":"here"}',
      ].join('\n');
      const result = await cli(['replay', '-', '--keep-going', '--format', 'ndjson'], input);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')).toEqual([
        expect.stringMatching(/^stdin:3: not valid JSON: /),
        'stdin:5: a line is a command {"command","data"} or an event {"stream","type","data"}',
        'replayed stdin: 3 applied, 0 rejected, 2 failed, 3 events appended',
        expect.stringMatching(
          /^\{"error":\{"exitCode":2,"kind":"usage","message":"2 lines failed; the first: stdin:3: not valid JSON: [^"]+"\}\}$/,
        ),
        '',
      ]);
      expect((await log()).map((event) => `${event.stream} ${event.type}`)).toEqual([
        'audit-1 Noted',
        'account-x AccountOpened',
        'account-x MoneyDeposited',
      ]);
    });

    it('replays raw events with no domain module at all, and checks their expected version', async () => {
      const empty = tempDir();
      const own = await backend.freshStore();
      try {
        const input =
          '{"stream":"s-1","type":"A","data":{}}\n{"stream":"s-1","type":"B","data":{},"expectedVersion":0}\n';
        const result = await runOn(own, ['replay', '-'], { cwd: empty.dir, input });
        expect(result.code).toBe(3);
        expect(result.stderr).toContain(
          'error: stdin:2: version conflict on stream "s-1": expected 0, actual 1',
        );
        const stored = await runOn(own, ['log', '--format', 'ndjson'], { cwd: empty.dir });
        expect((parseNdjson(stored.stdout) as { type: string }[]).map((e) => e.type)).toEqual([
          'A',
        ]);
      } finally {
        await own.cleanup();
        empty.cleanup();
      }
    });

    it('paces lines with --delay', async () => {
      const input = ['a', 'b', 'c']
        .map((id) => `{"command":"OpenAccount","data":{"accountId":"${id}","owner":"O"}}`)
        .join('\n');
      const started = Date.now();
      const result = await cli(['replay', '-', '--delay', '150', '--quiet'], input);
      expect(result.code).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(result.stderr).toBe('');
    });

    it('exit 5 for a file that is not there, and no store is created', async () => {
      const empty = tempDir();
      const own = await backend.freshStore();
      try {
        const result = await runOn(own, ['replay', 'nope.ndjson'], { cwd: empty.dir });
        expect([result.code, result.stderr]).toEqual([5, 'error: no such file: nope.ndjson\n']);
        expect(await storeExists(own.db, empty.dir)).toBe(false);
      } finally {
        await own.cleanup();
        empty.cleanup();
      }
    });
  });

  describe('state', () => {
    beforeEach(async () => {
      expect((await cli(['replay', 'scenario.ndjson', '--keep-going', '--quiet'])).code).toBe(0);
    });

    it('prints the folded state of a stream as one JSON line', async () => {
      const [one, two] = await Promise.all([
        cli(['state', 'account-acc-1', '--format', 'ndjson']),
        cli(['state', 'account-acc-2', '--json']),
      ]);
      expect([one.code, one.stdout]).toEqual([
        0,
        '{"open":true,"owner":"Ada Lovelace","balance":70}\n',
      ]);
      expect([two.code, two.stdout]).toEqual([
        0,
        '{"open":true,"owner":"Grace Hopper","balance":10}\n',
      ]);
    });

    it('--at VERSION folds only that far; --at 0 is the initial state', async () => {
      const at2 = await cli(['state', 'account-acc-1', '--at', '2', '--format', 'ndjson']);
      expect(at2.stdout).toBe('{"open":true,"owner":"Ada Lovelace","balance":100}\n');
      const at0 = await cli(['state', 'account-acc-1', '--at', '0', '--format', 'ndjson']);
      expect(at0.stdout).toBe('{"open":false,"owner":null,"balance":0}\n');
    });

    it('prints a heading and pretty JSON as a table', async () => {
      const result = await cli(['state', 'account-acc-1', '--format', 'table']);
      expect(result.stdout).toBe(
        'account-acc-1 at version 3 (decider account)\n{\n  "open": true,\n  "owner": "Ada Lovelace",\n  "balance": 70\n}\n',
      );
    });

    it.each([
      [['state', 'account-nobody'], 5, 'error: stream "account-nobody" does not exist\n'],
      [
        ['state', 'invoice-1'],
        5,
        'error: no decider owns stream "invoice-1"; the domain\'s streams are account-…\n',
      ],
      [
        ['state', 'account-acc-1', '--at', '9'],
        2,
        'error: --at 9 is past the end of "account-acc-1", which is at version 3\n',
      ],
      [
        ['state', 'account-acc-1', '--at', 'last'],
        2,
        'error: --at must be a non-negative integer, got "last"\n',
      ],
    ])('%j exits %i', async (args, code, stderr) => {
      const result = await cli(args);
      expect([result.code, result.stderr, result.stdout]).toEqual([code, stderr, '']);
    });
  });
});
