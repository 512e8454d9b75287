import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { bankTemplate } from '../helpers/bank-template.js';

// What `eventlite test` says when a spec is not what its author meant: a reason named as a
// reason, a mistyped key with the key it was likely meant to be, a given event that nothing in
// the domain knows. Command cases run purely, so the store's backend plays no part.

const template = bankTemplate();

let folder: ReturnType<typeof tempDir>;
const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir });
const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);

beforeEach(() => {
  folder = tempDir();
  cpSync(template.dir, folder.dir, { recursive: true, verbatimSymlinks: true });
});
afterEach(() => folder.cleanup());

const OPENED = '{ type: AccountOpened, data: { accountId: acc-1, owner: Ada } }';

describe('test: spec messages', () => {
  it('a rejection with another reason reads as a reason, not a message match', async () => {
    write(
      'reason.spec.yaml',
      `- name: wrong reason
  given: [${OPENED}]
  when: { command: Withdraw, data: { accountId: acc-1, amount: 10 } }
  then: { rejected: AccountNotOpen }
- name: wrong message
  given: [${OPENED}]
  when: { command: Withdraw, data: { accountId: acc-1, amount: 10 } }
  then: { rejected: the account is closed }
`,
    );
    const result = await cli(['test', 'reason.spec.yaml', '--format', 'ndjson']);
    expect(result.code).toBe(1);
    expect(parseNdjson(result.stdout)).toEqual([
      {
        file: 'reason.spec.yaml',
        line: 1,
        name: 'wrong reason',
        passed: false,
        message:
          'expected reason AccountNotOpen, but the command rejected: InsufficientFunds: account acc-1 holds 0, cannot withdraw 10',
      },
      {
        file: 'reason.spec.yaml',
        line: 5,
        name: 'wrong message',
        passed: false,
        message:
          'expected a message with "the account is closed", but the command rejected: InsufficientFunds: account acc-1 holds 0, cannot withdraw 10',
      },
    ]);
  });

  it.each([
    [
      'then: { event: [{ type: AccountOpened }] }',
      '"then" has an unknown key "event" (did you mean "events"?); it may have events, rejected, invalid',
    ],
    [
      'then: { rejectd: AccountAlreadyOpen }',
      '"then" has an unknown key "rejectd" (did you mean "rejected"?); it may have events, rejected, invalid',
    ],
    [
      `giben: [${OPENED}]\n  then: { rejected: AccountAlreadyOpen }`,
      'a case has an unknown key "giben" (did you mean "given"?); it may have name, given, when, query, params, then',
    ],
    [
      'then: { rows: [] }',
      '"then" needs exactly one of events, rejected or invalid; "rows" goes with "query" (a projection\'s rows)',
    ],
    [
      'then: { events: [], because: it is so }',
      '"then" has an unknown key "because"; it may have events, rejected, invalid',
    ],
  ])('an unknown key gets a did-you-mean: %s', async (then, message) => {
    write(
      'keys.spec.yaml',
      `- name: keys\n  when: { command: OpenAccount, data: { accountId: acc-1, owner: Ada } }\n  ${then}\n`,
    );
    const result = await cli(['test', 'keys.spec.yaml']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: keys.spec.yaml:1 (keys): ${message}\n`,
    ]);
  });

  it.each([
    [
      'then: { readsAs: [] }',
      '"then" has an unknown key "readsAs" (did you mean "readAs"?); it may have events, rejected, invalid, readAs',
    ],
    [
      'then: { readAs: [], events: [] }',
      '"then" with readAs has an unknown key "events"; it may have readAs',
    ],
    [
      'when: { command: OpenAccount, data: { accountId: acc-1, owner: Ada } }\n  then: { readAs: [] }',
      'then.readAs states what given events read as; give it without "when"',
    ],
  ])('a case of what given events read as: %s', async (rest, message) => {
    write('reading.spec.yaml', `- name: reading\n  given: [${OPENED}]\n  ${rest}\n`);
    const result = await cli(['test', 'reading.spec.yaml']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: reading.spec.yaml:1 (reading): ${message}\n`,
    ]);
  });

  it("a projection case's then has rows, and says so", async () => {
    write(
      'rows.spec.yaml',
      '- name: rows\n  query: SELECT 1 AS one\n  then: { row: [{ one: 1 }] }\n',
    );
    const result = await cli(['test', 'rows.spec.yaml']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'error: rows.spec.yaml:1 (rows): "then" has an unknown key "row" (did you mean "rows"?); it may have rows\n',
    ]);
  });

  it('flags a given event of a type no decider is seen to emit and no projection handles', async () => {
    write(
      'typo.spec.yaml',
      `- name: a typo in a given type
  given:
    - ${OPENED}
    - { type: MoneyDeposted, data: { accountId: acc-1, amount: 100, balance: 100 } }
  when: { command: Withdraw, data: { accountId: acc-1, amount: 10 } }
  then: { rejected: InsufficientFunds }
- name: a type nothing is near
  given: [{ type: Zzz, data: {} }]
  when: { command: OpenAccount, data: { accountId: acc-1, owner: Ada } }
  then: { events: [{ type: AccountOpened }] }
`,
    );
    const result = await cli(['test', 'typo.spec.yaml', '--format', 'ndjson']);
    // The cases still run, and here pass: the typo makes the first test less than it says.
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: typo.spec.yaml:1 (a typo in a given type): given event 2 has type MoneyDeposted, which no projection handles and no case expects a decider to emit (did you mean "MoneyDeposited"?)\n' +
        'warning: typo.spec.yaml:7 (a type nothing is near): given event 1 has type Zzz, which no projection handles and no case expects a decider to emit (a typo?)\n' +
        '2 of 2 specs passed\n',
    );
  });

  it('the shipped specs raise no warning', async () => {
    const result = await cli(['test', '--format', 'ndjson']);
    expect([result.code, result.stderr]).toEqual([0, '12 of 12 specs passed\n']);
  });
});
