import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { bankTemplate } from '../helpers/bank-template.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// Text from the data reaches people's terminals, where a control character is an instruction:
// ESC (or U+009B, C1's CSI, alone) starts a sequence that retitles or clears the terminal, CR
// overwrites the line. Every output for people shows them escaped, as JSON writes them; the
// data formats keep the data as it is (JSON escapes C0 itself). On each backend.

const template = bankTemplate();
/** An owner's name that would retitle the terminal, clear it, and overwrite the line. */
const OWNER = 'Ada\u001b]0;pwned\u0007\u009b2J\rEve\u007f';
const SHOWN = 'Ada\\u001b]0;pwned\\u0007\\u009b2J\\rEve\\u007f';
const CLOCK = ['--clock', '2026-03-01T09:00:00Z'];

/** No control character other than a line end, and no ANSI styling (the output is a pipe). */
function expectNoControls(text: string): void {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
}

describe.each(backends())('control characters on $name', (backend) => {
  const folder = tempDir();
  let store: StoreUnderTest;
  const cli = async (args: readonly string[]) => {
    const result = await runOn(store, [...CLOCK, ...args], { cwd: folder.dir });
    expectNoControls(result.stdout);
    expectNoControls(result.stderr);
    return result;
  };
  beforeAll(async () => {
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
    const data = JSON.stringify({ accountId: 'acc-1', owner: OWNER });
    const opened = await cli(['exec', 'OpenAccount', data, '--format', 'table']);
    expect([opened.code, opened.stdout, opened.stderr]).toEqual([
      0,
      `     #1  account-acc-1@1  AccountOpened  {"accountId":"acc-1","owner":"${SHOWN}"}  2026-03-01T09:00:00.000Z\n`,
      '',
    ]);
  });
  afterAll(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('log and read show the data escaped, C1 and DEL too', async () => {
    const line = `     #1  account-acc-1@1  AccountOpened  {"accountId":"acc-1","owner":"${SHOWN}"}  2026-03-01T09:00:00.000Z\n`;
    for (const args of [['log'], ['read', 'account-acc-1']]) {
      const result = await cli([...args, '--format', 'table']);
      expect([result.code, result.stdout, result.stderr]).toEqual([0, line, '']);
    }
  });

  it('the data formats keep the data as it is', async () => {
    const result = await runOn(store, ['log', '--format', 'ndjson'], { cwd: folder.dir });
    expect(JSON.parse(result.stdout).data.owner).toBe(OWNER);
  });

  it('state shows the folded state escaped', async () => {
    const result = await cli(['state', 'account-acc-1', '--format', 'table']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      'account-acc-1 at version 1 (decider account)\n' +
        `{\n  "open": true,\n  "owner": "${SHOWN}",\n  "balance": 0\n}\n`,
    );
  });

  it('a dry run, a trace and the projection rows show it escaped', async () => {
    const data = JSON.stringify({ accountId: 'acc-2', owner: OWNER });
    const dry = await cli(['exec', 'OpenAccount', data, '--dry-run', '--format', 'table']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`│ {"accountId":"acc-2","owner":"${SHOWN}"} │`);
    const traced = await cli([
      'exec',
      'OpenAccount',
      data,
      '--dry-run',
      '--trace',
      '--format',
      'table',
    ]);
    expect(traced.stderr).toContain(`AccountOpened {"accountId":"acc-2","owner":"${SHOWN}"}`);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    const rows = await cli(['query', 'SELECT owner FROM account_summary', '--format', 'table']);
    expect(rows.stdout.split('\n')[3]).toBe(`│ ${SHOWN} │`);
  });

  it("an error line that echoes the domain's words escapes them", async () => {
    writeFileSync(
      join(folder.dir, 'echo.mjs'),
      `import { defineDomain, reject } from 'eventlite';
export default defineDomain({
  deciders: {
    echo: {
      category: 'echo',
      streamId: () => 'one',
      initialState: () => null,
      evolve: (state) => state,
      decide: {
        Say(command) {
          reject('Refused', 'will not say ' + command.data.text);
        },
      },
    },
  },
});
`,
    );
    const data = JSON.stringify({ text: OWNER });
    const human = await cli(['--domain', 'echo.mjs', 'exec', 'Say', data]);
    expect([human.code, human.stdout, human.stderr]).toEqual([
      4,
      '',
      `error: Refused: will not say ${SHOWN}\n`,
    ]);
    const json = await cli(['--domain', 'echo.mjs', 'exec', 'Say', data, '--format', 'ndjson']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        exitCode: 4,
        kind: 'rejected',
        reason: 'Refused',
        message: `Refused: will not say ${OWNER}`,
      },
    });
  });
});
