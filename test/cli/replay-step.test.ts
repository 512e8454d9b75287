import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultReadDb, readModelsExist, runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `replay --step` in process: Enter (and q) fed on the injected stdin; once per backend.

const template = bankTemplate();

const STORY = [
  '# Ada opens an account and pays in',
  '{"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}',
  '{"command":"Deposit","data":{"accountId":"acc-1","amount":100}}',
  '{"command":"Withdraw","data":{"accountId":"acc-1","amount":500}}',
].join('\n');

const ID = '0b6c0000-0000-4000-8000-0000000000aa';

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) =>
    runOn(store, ['--clock', '2026-03-01T09:00:00Z', ...args], { cwd: folder.dir, input });

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    writeFileSync(join(folder.dir, 'story.ndjson'), `${STORY}\n`);
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('shows each line, the state before and after, the events and the changed rows, one Enter at a time', async () => {
    const result = await cli(['replay', 'story.ndjson', '--step', '--keep-going'], '\n\n\n');
    expect(result.stdout).toBe(
      [
        '── story.ndjson:2  {"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}',
        'state before  account-acc-1 at version 0: {"open":false,"owner":null,"balance":0}',
        'events        #1  account-acc-1@1  AccountOpened  {"accountId":"acc-1","owner":"Ada"}  2026-03-01T09:00:00.000Z',
        'state after   account-acc-1 at version 1: {"open":true,"owner":"Ada","balance":0}',
        'read models   + account_summary {"account_id":"acc-1","owner":"Ada","balance":0,"last_updated":"2026-03-01T09:00:00.000Z"}',
        '',
        '── story.ndjson:3  {"command":"Deposit","data":{"accountId":"acc-1","amount":100}}',
        'state before  account-acc-1 at version 1: {"open":true,"owner":"Ada","balance":0}',
        'events        #2  account-acc-1@2  MoneyDeposited  {"accountId":"acc-1","amount":100,"balance":100}  2026-03-01T09:00:01.000Z',
        'state after   account-acc-1 at version 2: {"open":true,"owner":"Ada","balance":100}',
        'read models   - account_summary {"account_id":"acc-1","owner":"Ada","balance":0,"last_updated":"2026-03-01T09:00:00.000Z"}',
        '              + account_summary {"account_id":"acc-1","owner":"Ada","balance":100,"last_updated":"2026-03-01T09:00:01.000Z"}',
        '',
        '── story.ndjson:4  {"command":"Withdraw","data":{"accountId":"acc-1","amount":500}}',
        'state before  account-acc-1 at version 2: {"open":true,"owner":"Ada","balance":100}',
        'rejected      story.ndjson:4: Withdraw rejected: InsufficientFunds: account acc-1 holds 100, cannot withdraw 500',
        'state after   account-acc-1 at version 2: {"open":true,"owner":"Ada","balance":100}',
        'read models   no rows changed',
        '',
        '',
      ].join('\n'),
    );
    expect([result.code, result.stderr]).toEqual([
      0,
      'story.ndjson:4: Withdraw rejected: InsufficientFunds: account acc-1 holds 100, cannot withdraw 500\n' +
        'replayed story.ndjson: 2 applied, 1 rejected, 2 events appended\n',
    ]);
  });

  it('q stops before the line it was asked about; what ran stays', async () => {
    const result = await cli(['replay', 'story.ndjson', '--step', '--correlation-id', ID], '\nq\n');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('──'))).toEqual([
      '── story.ndjson:2  {"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}',
      '── story.ndjson:3  {"command":"Deposit","data":{"accountId":"acc-1","amount":100}}',
    ]);
    expect(result.stderr).toBe(
      'stopped before story.ndjson:3\nreplayed story.ndjson: 1 applied, 0 rejected, 1 event appended\n' +
        `to go on: eventlite --clock 2026-03-01T09:00:00Z replay story.ndjson --step --from-line 3 --correlation-id ${ID}\n`,
    );
    const log = await cli(['log', '--format', 'ndjson']);
    expect(log.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('stdin that ends early stops the replay there, saying so', async () => {
    const result = await cli(['replay', 'story.ndjson', '--step', '--correlation-id', ID], '\n');
    expect([result.code, result.stderr]).toEqual([
      0,
      'stdin ended: stopped before story.ndjson:3\nreplayed story.ndjson: 1 applied, 0 rejected, 1 event appended\n' +
        `to go on: eventlite --clock 2026-03-01T09:00:00Z replay story.ndjson --step --from-line 3 --correlation-id ${ID}\n`,
    ]);
  });

  it('refuses, rather than hang, when stdin is not a terminal and gives nothing; creates nothing', async () => {
    const result = await cli(['replay', 'story.ndjson', '--step']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      'error: replay --step waits for Enter before each line, but stdin is not a terminal and gave no input; run it in a terminal, or pipe in one line per step (yes "" | eventlite replay FILE --step)\n',
    ]);
    const fromStdin = await cli(['replay', '-', '--step'], `${STORY}\n`);
    expect([fromStdin.code, fromStdin.stderr]).toEqual([
      2,
      'error: --step reads Enter from stdin, so the scenario must be a file, not -\n',
    ]);
    expect(await storeExists(store.db, folder.dir)).toBe(false);
    expect(await readModelsExist(defaultReadDb(store.db), folder.dir)).toBe(false);
  });
});
