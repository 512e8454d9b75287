import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import { InputError } from '../../src/core/errors.js';
import { runSpecCases } from '../../src/app/specs/run-specs.js';
import { readSpecFile } from '../../src/app/specs/spec-file.js';
import { runProjectionCase } from '../../src/app/specs/projection-case.js';
import { loadExample } from '../helpers/examples.js';

// The projection half of specs: given events, then a query's rows, through the real runner.

let bank: Domain;
let folder: string;
let scratch: string;
const realTmpdir = process.env.TMPDIR;
beforeAll(async () => {
  bank = await loadExample('bank');
});
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'eventlite-projection-specs-'));
  // The runner makes its scratch folders under os.tmpdir(), which reads TMPDIR on each call:
  // pointing it at an empty folder shows that they are all removed.
  scratch = join(folder, 'tmp');
  mkdirSync(scratch);
  process.env.TMPDIR = scratch;
});
afterEach(() => {
  if (realTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = realTmpdir;
  rmSync(folder, { recursive: true, force: true });
});

async function run(yaml: string, domain = bank) {
  const path = join(folder, 'case.spec.yaml');
  writeFileSync(path, yaml);
  const cases = await readSpecFile(path, 'case.spec.yaml');
  return runSpecCases(domain, cases, { projectionRunner: runProjectionCase });
}

const SUMMARY = `
- name: summary
  given:
    - { type: AccountOpened, data: { accountId: a1, owner: Ada } }
    - { type: MoneyDeposited, data: { accountId: a1, amount: 100, balance: 100 } }
    - { type: AccountOpened, data: { accountId: a2, owner: Grace } }
    - { type: MoneyWithdrawn, data: { accountId: a1, amount: 30, balance: 70 } }
  query: SELECT account_id, balance, last_updated FROM account_summary WHERE owner <> :skip ORDER BY account_id
  params: { skip: nobody }
  then:
    rows:`;

describe('projection spec cases', () => {
  it('passes when the rows match, in order, naming a subset of the columns, and leaves no scratch files', async () => {
    const results = await run(`${SUMMARY}
      - { account_id: a1, balance: 70, last_updated: 2026-01-01T00:03:00.000Z }
      - { account_id: a2, balance: 0 }
`);
    expect(results).toEqual([{ file: 'case.spec.yaml', line: 2, name: 'summary', passed: true }]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('fails on a wrong value, naming the row and column, with expected and actual rows', async () => {
    const [result] = await run(`${SUMMARY}
      - { account_id: a1, balance: 80 }
      - { account_id: a2, balance: 0 }
`);
    expect(result).toEqual({
      file: 'case.spec.yaml',
      line: 2,
      name: 'summary',
      passed: false,
      message: [
        'row 1: balance: expected 80, got 70',
        '  expected: {"account_id":"a1","balance":80}',
        '            {"account_id":"a2","balance":0}',
        '  actual:   {"account_id":"a1","balance":70}',
        '            {"account_id":"a2","balance":0}',
      ].join('\n'),
    });
  });

  it.each([
    ['a missing row', '      - { account_id: a1 }\n', 'expected 1 row, got 2'],
    [
      'rows out of order',
      '      - { account_id: a2 }\n      - { account_id: a1 }\n',
      'row 1: account_id: expected "a2", got "a1"',
    ],
    [
      'a column the query does not return',
      '      - { account_id: a1, owner: Ada }\n      - { account_id: a2 }\n',
      'row 1: no column "owner" (the query returns account_id, balance, last_updated)',
    ],
    [
      'text where the column holds a number',
      "      - { account_id: a1, balance: '70' }\n      - { account_id: a2 }\n",
      'row 1: balance: expected "70", got 70',
    ],
  ])('fails on %s', async (_what, rows, firstLine) => {
    const [result] = await run(`${SUMMARY}\n${rows}`);
    expect(result?.passed).toBe(false);
    expect(result?.message?.split('\n')[0]).toBe(firstLine);
  });

  it('fails a query that writes or does not run, as `eventlite query` refuses it', async () => {
    const results = await run(`
- { name: writes, query: DELETE FROM account_summary, then: { rows: [] } }
- { name: typo, query: SELECT * FROM acount_summary, then: { rows: [] } }
`);
    expect(results.map((result) => [result.passed, result.message])).toEqual([
      [
        false,
        'query refused: only a read-only statement that returns rows (SELECT, WITH … SELECT, read-only PRAGMA) may run here',
      ],
      [false, 'query failed: no such table: acount_summary'],
    ]);
  });

  it('gives events fixed ids, times, positions and versions, in the stream `spec` by default', async () => {
    const recorder: Domain = {
      deciders: {},
      projections: [
        {
          name: 'seen',
          version: 1,
          setup: ['CREATE TABLE seen (position, stream, version, id, recorded_at)'],
          on: {
            Noted: (e) => ({
              sql: 'INSERT INTO seen VALUES (?, ?, ?, ?, ?)',
              params: [e.position, e.stream, e.version, e.id, e.recordedAt],
            }),
            Broken: () => {
              throw new Error('cannot project this');
            },
          },
        },
      ],
    };
    const [seen, broken] = await run(
      `
- query: SELECT * FROM seen ORDER BY position
  given:
    - { type: Noted }
    - { type: Noted, stream: other-1 }
    - { type: Noted, recordedAt: 2026-05-01T12:00:00.000Z }
  then:
    rows:
      - { position: 1, stream: spec, version: 1, id: 00000000-0000-4000-8000-000000000001, recorded_at: 2026-01-01T00:00:00.000Z }
      - { position: 2, stream: other-1, version: 1, id: 00000000-0000-4000-8000-000000000002, recorded_at: 2026-01-01T00:01:00.000Z }
      - { position: 3, stream: spec, version: 2, id: 00000000-0000-4000-8000-000000000003, recorded_at: 2026-05-01T12:00:00.000Z }
- query: SELECT * FROM seen
  given: [{ type: Noted }, { type: Broken, stream: s-1 }]
  then: { rows: [] }
`,
      recorder,
    );
    expect(seen).toMatchObject({ passed: true });
    expect(broken).toMatchObject({
      passed: false,
      message:
        'projection "seen" failed at event 2 (stream "s-1", type Broken): cannot project this',
    });
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('projection spec files', () => {
  it.each([
    [
      '- { query: SELECT 1, params: { on: true }, then: { rows: [] } }',
      'case.spec.yaml:1 (case 1): params.on must be a text or a number, got boolean true',
    ],
    [
      '- { query: SELECT 1, when: { command: Deposit }, then: { rows: [] } }',
      'a case has "when" (a command) or "query", not both',
    ],
    [
      '- { query: SELECT 1, given: [{ type: X, recordedAt: yesterday }], then: { rows: [] } }',
      'given event 1: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got string "yesterday"',
    ],
    ['- { query: SELECT 1, then: { events: [] } }', '"then" needs rows: [...]'],
  ])('refuses %s', async (text, message) => {
    const path = join(folder, 'case.spec.yaml');
    writeFileSync(path, text);
    const reading = readSpecFile(path, 'case.spec.yaml');
    await expect(reading).rejects.toThrow(InputError);
    await expect(reading).rejects.toThrow(message);
  });
});
