import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { InputError } from '../../src/core/errors.js';
import { runSpecCases } from '../../src/app/specs/run-specs.js';
import { readSpecFile } from '../../src/app/specs/spec-file.js';
import { tempDir } from '../helpers/cli.js';
import { loadExample } from '../helpers/examples.js';

let bank: Domain;
let folder: ReturnType<typeof tempDir>;
beforeAll(async () => {
  bank = await loadExample('bank');
});
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

async function run(yaml: string) {
  const path = join(folder.dir, 'case.spec.yaml');
  writeFileSync(path, yaml);
  return runSpecCases(bank, await readSpecFile(path, 'case.spec.yaml'));
}

const OPENED = `
  given:
    - type: AccountOpened
      data: { accountId: a1, owner: Ada }
    - type: MoneyDeposited
      data: { accountId: a1, amount: 100, balance: 100 }`;

describe('spec cases', () => {
  it('passes when the events match, naming only a subset of their data', async () => {
    const [result] = await run(`
- name: deposit${OPENED}
  when: { command: Deposit, data: { accountId: a1, amount: 5 } }
  then:
    events:
      - type: MoneyDeposited
        data: { balance: 105 }
`);
    expect(result).toEqual({ file: 'case.spec.yaml', line: 2, name: 'deposit', passed: true });
  });

  it.each([
    [
      'a wrong value in the data',
      'events: [{ type: MoneyDeposited, data: { balance: 999 } }]',
      'event 1 (MoneyDeposited): data.balance: expected 999, got 105',
    ],
    [
      'a wrong type',
      'events: [{ type: MoneyWithdrawn }]',
      'event 1: expected MoneyWithdrawn, got MoneyDeposited',
    ],
    ['too few events', 'events: []', 'expected no events, got 1 event (MoneyDeposited)'],
    [
      'a rejection that does not come',
      'rejected: true',
      'expected a rejection, got MoneyDeposited',
    ],
  ])('fails on %s', async (_what, then, message) => {
    const [result] = await run(`
- name: deposit${OPENED}
  when: { command: Deposit, data: { accountId: a1, amount: 5 } }
  then: { ${then} }
`);
    expect(result).toMatchObject({ passed: false, message });
  });

  it('matches a rejection by its reason or by text in its message, and fails on other text', async () => {
    const results = await run(`
- when: { command: Withdraw, data: { accountId: a1, amount: 500 } }${OPENED}
  then: { rejected: InsufficientFunds }
- when: { command: Withdraw, data: { accountId: a1, amount: 500 } }${OPENED}
  then: { rejected: cannot withdraw 500 }
- when: { command: Withdraw, data: { accountId: a1, amount: 500 } }${OPENED}
  then: { rejected: AccountNotOpen }
- when: { command: Withdraw, data: { accountId: a1, amount: 5 } }${OPENED}
  then: { invalid: true }
`);
    expect(results.map((result) => result.passed)).toEqual([true, true, false, false]);
    expect(results[2]!.message).toBe(
      'expected reason AccountNotOpen, but the command rejected: InsufficientFunds: account a1 holds 100, cannot withdraw 500',
    );
    expect(results[3]!.name).toBe('case 4');
  });

  it('fails an unknown command rather than stopping the run', async () => {
    const [result] = await run(`
- when: { command: Teleport, data: {} }
  then: { events: [] }
`);
    expect(result?.passed).toBe(false);
    expect(result?.message).toContain('unknown command "Teleport"');
  });

  it('fails projection cases until a projection runner is given', async () => {
    const [result] = await run(`
- name: summary${OPENED}
  query: SELECT balance FROM account_summary
  then: { rows: [{ balance: 100 }] }
`);
    expect(result).toMatchObject({
      passed: false,
      message: 'projection specs (query/rows) are not supported yet',
    });
  });

  it('hands projection cases to the runner it is given', async () => {
    const path = join(folder.dir, 'p.yaml');
    writeFileSync(
      path,
      `cases:\n  - name: summary\n    query: SELECT 1\n    params: { id: a1 }\n    then: { rows: [{ one: 1 }] }\n`,
    );
    const cases = await readSpecFile(path, 'p.yaml');
    const seen: unknown[] = [];
    const results = await runSpecCases(bank, cases, {
      projectionRunner: async (_domain, specCase) => {
        seen.push({ query: specCase.query, params: specCase.params, rows: specCase.rows });
        return { passed: true };
      },
    });
    expect(seen).toEqual([{ query: 'SELECT 1', params: { id: 'a1' }, rows: [{ one: 1 }] }]);
    expect(results).toEqual([{ file: 'p.yaml', line: 2, name: 'summary', passed: true }]);
  });
});

describe('spec files', () => {
  it('reads JSON as well as YAML', async () => {
    const path = join(folder.dir, 'case.json');
    writeFileSync(
      path,
      JSON.stringify([
        {
          when: { command: 'OpenAccount', data: { accountId: 'a1', owner: 'Ada' } },
          then: { events: [{ type: 'AccountOpened' }] },
        },
      ]),
    );
    const results = await runSpecCases(bank, await readSpecFile(path, 'case.json'));
    expect(results).toEqual([{ file: 'case.json', line: 1, name: 'case 1', passed: true }]);
  });

  it.each([
    ['- when: { command: Deposit\n', 'bad.yaml:2: '],
    ['{ cases: 3 }', 'bad.yaml: a spec file is a list of cases'],
    ['- name: x\n  when: { command: Deposit }\n', 'bad.yaml:1 (x): "then" must be a JSON object'],
    [
      '- name: x\n  when: { command: Deposit }\n  then: { events: [], rejected: true }\n',
      'needs exactly one of events, rejected or invalid',
    ],
    ['- name: x\n  then: { events: [] }\n', 'a case needs "when" (a command) or "query"'],
    [
      '- name: x\n  given: [{ data: {} }]\n  when: { command: Deposit }\n  then: { events: [] }\n',
      'given event 1: "type" is missing',
    ],
  ])('refuses a malformed file %j', async (text, message) => {
    const path = join(folder.dir, 'bad.yaml');
    writeFileSync(path, text);
    const reading = readSpecFile(path, 'bad.yaml');
    await expect(reading).rejects.toThrow(InputError);
    await expect(reading).rejects.toThrow(message);
  });
});
