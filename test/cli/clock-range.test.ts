import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPgUrl, runOn, storeExists, withPg } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { bankTemplate } from '../helpers/bank-template.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';

// A store records times with a four-digit year, from 0001 to 9999: the format export writes
// and import takes back. A clock given for a run (--clock, "at") that would stamp a time past
// 9999-12-31T23:59:59.999Z is refused, never stored as `+010000-…`; and `verify` fails a store
// that holds such a time. Once per backend.

const template = bankTemplate();
const LAST = '9999-12-31T23:59:59.999Z';

const open = (id: string, at?: string) =>
  JSON.stringify({
    ...(at && { at }),
    command: 'OpenAccount',
    data: { accountId: id, owner: 'Ada' },
  });
const deposit = (id: string, amount: number) =>
  JSON.stringify({ command: 'Deposit', data: { accountId: id, amount } });

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const others: StoreUnderTest[] = [];
  const cli = (args: string[], options: { env?: Record<string, string> } = {}) =>
    runOn(store, args, { cwd: folder.dir, ...options });
  const write = (name: string, lines: string[]) =>
    writeFileSync(join(folder.dir, name), lines.join('\n') + '\n');

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true });
    store = await backend.freshStore();
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.cleanup();
    await store.cleanup();
    folder.cleanup();
  });

  async function times(): Promise<string[]> {
    const log = parseNdjson((await cli(['log', '--format', 'ndjson'])).stdout) as {
      recordedAt: string;
    }[];
    return log.map((event) => event.recordedAt);
  }

  /** verify passes, and the export imports into a fresh store that exports the same bytes. */
  async function roundTrips(): Promise<void> {
    expect((await cli(['verify'])).code).toBe(0);
    const exported = await cli(['export']);
    writeFileSync(join(folder.dir, 'round.ndjson'), exported.stdout);
    const other = await backend.otherStore('other.db');
    others.push(other);
    const imported = await runOn(other, ['import', 'round.ndjson'], { cwd: folder.dir });
    expect([imported.code, imported.stderr]).toEqual([0, expect.any(String)]);
    expect((await runOn(other, ['export'], { cwd: folder.dir })).stdout).toBe(exported.stdout);
  }

  it('--clock at the last second: the first append is stored, the next refused (exit 2)', async () => {
    write('story.ndjson', [open('acc-1'), deposit('acc-1', 10)]);
    const result = await cli(['--clock', '9999-12-31T23:59:59Z', 'replay', 'story.ndjson']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'replayed story.ndjson: 1 applied, 0 rejected, 1 failed, 1 event appended\n' +
        `error: story.ndjson:2: the clock started by --clock 9999-12-31T23:59:59Z has run past ${LAST}, the last time a store can record (it moves on a second at each append); start it earlier\n`,
    ]);
    expect(await times()).toEqual(['9999-12-31T23:59:59.000Z']);
    await roundTrips();
  });

  it('"at" on a scenario line steps no further than the last time either', async () => {
    write('story.ndjson', [open('acc-1', '9999-12-31T23:59:59.5Z'), deposit('acc-1', 10)]);
    const result = await cli(['replay', 'story.ndjson']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'replayed story.ndjson: 1 applied, 0 rejected, 1 failed, 1 event appended\n' +
        `error: story.ndjson:2: the clock started by "at" on story.ndjson:1 has run past ${LAST}, the last time a store can record (it moves on a second at each append); start it earlier\n`,
    ]);
    expect(await times()).toEqual(['9999-12-31T23:59:59.500Z']);
    await roundTrips();
  });

  it('a given time past the range, written in another zone, is refused before anything is created', async () => {
    const flag = await cli(['--clock', '9999-12-31T23:30:00-01:00', 'append', 'notes', 'Noted']);
    expect([flag.code, flag.stdout, flag.stderr]).toEqual([
      2,
      '',
      `error: --clock must be a time from 0001-01-01T00:00:00.000Z to ${LAST}, got "9999-12-31T23:30:00-01:00"\n`,
    ]);
    const env = await cli(['append', 'notes', 'Noted', '{}'], {
      env: { EVENTLITE_CLOCK: '0001-01-01T00:30:00+01:00' },
    });
    expect([env.code, env.stderr]).toEqual([
      2,
      `error: EVENTLITE_CLOCK must be a time from 0001-01-01T00:00:00.000Z to ${LAST}, got "0001-01-01T00:30:00+01:00"\n`,
    ]);
    expect(await storeExists(store.db, folder.dir)).toBe(false);
    write('at.ndjson', [
      JSON.stringify({ at: '9999-12-31T23:30:00-01:00', stream: 's', type: 'T' }),
    ]);
    const at = await cli(['replay', 'at.ndjson']);
    expect([at.code, at.stderr]).toEqual([
      2,
      'replayed at.ndjson: 0 applied, 0 rejected, 1 failed, 0 events appended\n' +
        `error: at.ndjson:1: "at" must be a time from 0001-01-01T00:00:00.000Z to ${LAST}, got "9999-12-31T23:30:00-01:00"\n`,
    ]);
  });

  it('import refuses a recordedAt past the year 9999', async () => {
    const line = JSON.stringify({
      position: 1,
      stream: 's',
      version: 1,
      type: 'T',
      id: '0b6c7a52-3f4e-4d2a-9c1b-2a3b4c5d6e7f',
      data: {},
      metadata: {},
      recordedAt: '+010000-01-01T00:00:00.000Z',
    });
    writeFileSync(join(folder.dir, 'far.ndjson'), `${line}\n`);
    const result = await cli(['import', 'far.ndjson']);
    expect([result.code, result.stderr]).toEqual([
      2,
      'error: far.ndjson:1: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got string "+010000-01-01T00:00:00.000Z"\n',
    ]);
  });

  it('verify fails a store that holds a time past the range, naming the event', async () => {
    expect((await cli(['append', 'notes', 'Noted', '{}'])).code).toBe(0);
    await plantEvent(store.db, folder.dir, '+010000-01-01T00:00:00.000Z');
    const result = await cli(['verify', '--format', 'ndjson']);
    expect(result.code).toBe(1);
    expect(parseNdjson(result.stdout)).toContainEqual({
      check: 'recorded times in range',
      ok: false,
      detail:
        'event 2 has recordedAt "+010000-01-01T00:00:00.000Z", not a UTC time from the year 0001 to 9999',
    });
    // Every other check holds: this one alone fails the store.
    expect(
      (parseNdjson(result.stdout) as { ok: boolean }[]).filter((check) => !check.ok),
    ).toHaveLength(1);
  });
});

/** Writes an event at position 2 past eventlite, as another program could. */
async function plantEvent(db: string, cwd: string, recordedAt: string): Promise<void> {
  const values = [
    '0b6c7a52-3f4e-4d2a-9c1b-2a3b4c5d6e7f',
    'planted',
    1,
    'T',
    '{}',
    '{}',
    recordedAt,
  ];
  if (!isPgUrl(db)) {
    const file = new Database(join(cwd, db));
    file
      .prepare(
        'INSERT INTO events (id, stream, version, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(...values);
    file.close();
    return;
  }
  await withPg(db, async (client) => {
    await client.query(
      `INSERT INTO eventlite.events (position, id, stream, version, type, data, metadata, recorded_at)
       VALUES (2, $1, $2, $3, $4, $5, $6, $7)`,
      values,
    );
    await client.query('UPDATE eventlite.head SET position = 2');
  });
}
