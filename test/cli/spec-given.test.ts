import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// A spec's given events are what the store already holds: checked as `import` checks a line,
// and with their times written as the store writes them, so that a projection sees in a spec
// what it sees in production. Once per backend: projection specs run on the read models'.

const template = bankTemplate();

const SPEC = `- name: a time without milliseconds
  given:
    - { type: AccountOpened, data: { accountId: acc-1, owner: Ada }, recordedAt: 2026-05-04T17:30:00Z }
  query: SELECT last_updated FROM account_summary
  then:
    rows: [{ last_updated: 2026-05-04T17:30:00.000Z }]
`;

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });
  const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true, verbatimSymlinks: true });
    store = await backend.freshStore();
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('a given recordedAt reaches the projection as the store records that time', async () => {
    write('time.spec.yaml', SPEC);
    const spec = await cli(['test', 'time.spec.yaml', '--format', 'ndjson']);
    expect([spec.code, spec.stderr]).toEqual([0, '1 of 1 specs passed\n']);

    // What production stores for the same instant, through a scenario's "at" and an import.
    write(
      'story.ndjson',
      '{"at":"2026-05-04T17:30:00Z","command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}\n',
    );
    expect((await cli(['replay', 'story.ndjson'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    const query = await cli([
      'query',
      'SELECT last_updated FROM account_summary',
      '--format',
      'ndjson',
    ]);
    expect(query.stdout).toBe('{"last_updated":"2026-05-04T17:30:00.000Z"}\n');

    const line = (id: string, at: string) =>
      JSON.stringify({
        stream: 'audit-1',
        type: 'Audited',
        id: `0b6c0000-0000-4000-8000-00000000000${id}`,
        data: {},
        metadata: {},
        recordedAt: at,
      });
    const imported = await cli(
      ['import', '-'],
      `${line('1', '2026-05-04T17:30:01Z')}\n${line('2', '2026-05-04T17:30:02.5Z')}\n${line('3', '2026-05-04T17:30:03.123456Z')}\n`,
    );
    expect(imported.code).toBe(0);
    const exported = await cli(['export', '--stream', 'audit-1']);
    expect(
      parseNdjson(exported.stdout).map((event) => (event as { recordedAt: string }).recordedAt),
    ).toEqual([
      '2026-05-04T17:30:01.000Z',
      '2026-05-04T17:30:02.500Z',
      // A longer fraction is kept as given: no part of a time is lost.
      '2026-05-04T17:30:03.123456Z',
    ]);
  });

  it.each([
    ['2026-05-04', 'string "2026-05-04"'],
    ['2026-05-04T19:30:00+02:00', 'string "2026-05-04T19:30:00+02:00"'],
    ['2026-02-30T10:00:00Z', 'string "2026-02-30T10:00:00Z"'],
  ])('refuses a given recordedAt that import refuses: %s', async (time, shown) => {
    write('time.spec.yaml', SPEC.replace('2026-05-04T17:30:00Z', time));
    const result = await cli(['test', 'time.spec.yaml']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: time.spec.yaml:1 (a time without milliseconds): given event 1: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got ${shown}\n`,
    ]);
  });

  it('refuses given stream and type names that import refuses', async () => {
    write(
      'names.spec.yaml',
      SPEC.replace('type: AccountOpened,', 'type: AccountOpened, stream: "",'),
    );
    const result = await cli(['test', 'names.spec.yaml']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'error: names.spec.yaml:1 (a time without milliseconds): given event 1: stream name must be a non-empty string\n',
    ]);
  });
});
