import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `exec --file`: many commands in one process, with the output and exit rules of one `exec`
// each; once per backend, in a folder scaffolded by `init --example bank`.

const template = bankTemplate();

const line = (command: string, data: object) => JSON.stringify({ command, data });
const COMMANDS = [
  line('OpenAccount', { accountId: 'a', owner: 'Ada' }),
  line('Deposit', { accountId: 'a', amount: 5 }),
  line('OpenAccount', { accountId: 'b', owner: 'Bob' }),
  line('Deposit', { accountId: 'a', amount: 7 }),
];

/** An event as printed, less what differs between two stores: its id and time. */
const comparable = (text: string) =>
  parseNdjson(text).map((event) => ({ ...(event as object), id: '-', recordedAt: '-' }));

describe.each(backends())('exec --file on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string, on: StoreUnderTest = store) =>
    runOn(on, args, { cwd: folder.dir, input });

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

  it('prints what one exec per line prints, in order', async () => {
    writeFileSync(join(folder.dir, 'commands.ndjson'), `${COMMANDS.join('\n')}\n`);
    const batch = await cli(['exec', '--file', 'commands.ndjson', '--correlation-id', 'x']);
    expect(batch.stderr).toBe('');
    expect(batch.code).toBe(0);
    const other = await backend.otherStore('other.db');
    try {
      expect((await cli(['init'], undefined, other)).code).toBe(0);
      let oneByOne = '';
      for (const text of COMMANDS) {
        const { command, data } = JSON.parse(text) as { command: string; data: object };
        const one = await cli(
          ['exec', command, JSON.stringify(data), '--correlation-id', 'x'],
          undefined,
          other,
        );
        expect(one.code).toBe(0);
        oneByOne += one.stdout;
      }
      expect(comparable(batch.stdout)).toEqual(comparable(oneByOne));
      expect(comparable(batch.stdout)).toHaveLength(4);
    } finally {
      await other.cleanup();
    }
  });

  it('reads stdin with -, and a command on a kept state reads nothing (its append checks the version)', async () => {
    const result = await cli(['exec', '--file', '-', '--trace'], `${COMMANDS.join('\n')}\n`);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('read    account-a: 0 events, version 0\n');
    expect(result.stderr).toContain(
      'read    account-a: nothing, the state kept at version 1 (the append checks the version)\n',
    );
    expect(result.stderr).toContain(
      'read    account-a: nothing, the state kept at version 2 (the append checks the version)\nfold    → state {"open":true,"owner":"Ada","balance":5}\n',
    );
    const state = await cli(['state', 'account-a', '--format', 'json']);
    expect(JSON.parse(state.stdout)).toEqual({ open: true, owner: 'Ada', balance: 12 });
  });

  it('stops at the first failure with its message and exit code; the lines before stay', async () => {
    const input = [COMMANDS[0], line('Withdraw', { accountId: 'a', amount: 50 }), COMMANDS[1]].join(
      '\n',
    );
    const result = await cli(['exec', '--file', '-', '--format', 'ndjson'], input);
    const alone = await cli([
      'exec',
      'Withdraw',
      '{"accountId":"a","amount":50}',
      '--format',
      'ndjson',
    ]);
    expect(result.code).toBe(4);
    expect(alone.code).toBe(4);
    expect(result.stderr).toBe(alone.stderr);
    expect(parseNdjson(result.stdout).map((event) => (event as { type: string }).type)).toEqual([
      'AccountOpened',
    ]);
    const log = await cli(['log', '--format', 'ndjson']);
    expect(parseNdjson(log.stdout)).toHaveLength(1);
  });

  it('refuses a line that is not a command, naming file and line', async () => {
    writeFileSync(join(folder.dir, 'bad.ndjson'), `${COMMANDS[0]}\n{"command":\n`);
    const result = await cli(['exec', '--file', 'bad.ndjson']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: bad\.ndjson:2: not valid JSON: /);
  });

  it('takes COMMAND or --file, not both and not neither', async () => {
    const both = await cli(['exec', 'Deposit', '{}', '--file', '-'], '');
    expect(both).toMatchObject({
      code: 2,
      stderr: 'error: give COMMAND [DATA] or --file, not both\n',
    });
    const neither = await cli(['exec']);
    expect(neither).toMatchObject({
      code: 2,
      stderr: 'error: missing COMMAND: give a command type (e.g. Deposit), or --file FILE\n',
    });
  });
});
