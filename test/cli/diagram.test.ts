import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { bankTemplate } from '../helpers/bank-template.js';

// `eventlite diagram`: a Mermaid flowchart from the domain module and the log; once per backend.

const template = bankTemplate();

const NODES = [
  'flowchart LR',
  '  subgraph commands',
  '    c_OpenAccount["OpenAccount"]',
  '    c_Deposit["Deposit"]',
  '    c_Withdraw["Withdraw"]',
  '  end',
  '  subgraph events',
  '    e_AccountOpened(["AccountOpened"])',
  '    e_MoneyDeposited(["MoneyDeposited"])',
  '    e_MoneyWithdrawn(["MoneyWithdrawn"])',
];
const READ_SIDE = [
  '  subgraph projections',
  '    p_account_summary[["account_summary"]]',
  '  end',
  '  subgraph tables',
  '    t_account_summary[("account_summary")]',
  '  end',
];
const PROJECTION_EDGES = [
  '  e_AccountOpened --> p_account_summary',
  '  e_MoneyDeposited --> p_account_summary',
  '  e_MoneyWithdrawn --> p_account_summary',
  '  p_account_summary --> t_account_summary',
];
const text = (lines: string[]) => `${lines.join('\n')}\n`;

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('draws commands → events → projections → tables, with the arrows the log has seen', async () => {
    const story = [
      '{"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}',
      '{"command":"Deposit","data":{"accountId":"acc-1","amount":10}}',
      '{"command":"Deposit","data":{"accountId":"acc-1","amount":5}}',
      '{"stream":"audit-1","type":"Audited","data":{}}',
    ];
    writeFileSync(join(folder.dir, 'story.ndjson'), `${story.join('\n')}\n`);
    expect((await cli(['replay', 'story.ndjson'])).code).toBe(0);
    const result = await cli(['diagram']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toBe(
      text([
        ...NODES,
        '    e_Audited(["Audited"])',
        '  end',
        ...READ_SIDE,
        '  c_OpenAccount --> e_AccountOpened',
        '  c_Deposit --> e_MoneyDeposited',
        ...PROJECTION_EDGES,
      ]),
    );
    const domainOnly = await cli(['diagram', '--no-log']);
    expect(domainOnly.stdout).toBe(text([...NODES, '  end', ...READ_SIDE, ...PROJECTION_EDGES]));
  });

  it('draws the domain alone when there is no store, and creates none', async () => {
    const result = await cli(['diagram']);
    expect([result.code, result.stdout]).toEqual([
      0,
      text([...NODES, '  end', ...READ_SIDE, ...PROJECTION_EDGES]),
    ]);
    expect(await storeExists(store.db, folder.dir)).toBe(false);
  });
});

it('needs a domain module: exit 2, one line', async () => {
  const empty = tempDir();
  try {
    const result = await runInProcess(['diagram'], { cwd: empty.dir });
    expect([result.code, result.stdout, result.stderr.split('\n').length]).toEqual([2, '', 2]);
    expect(result.stderr).toMatch(/^error: .*domain/);
  } finally {
    empty.cleanup();
  }
});
