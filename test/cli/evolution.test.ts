import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PG_STORE_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { STORE_SCHEMA } from '../../src/store/sqlite/schema.js';
import { isPgUrl, runOn, withPg } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { ROOT, tempDir } from '../helpers/cli.js';

// Issue 20's "done when", through the CLI in process, once per backend: the bank example
// evolved (fixtures/bank-evolved: `Deposited` renamed to MoneyDeposited, MoneyDeposited at
// version 2 with a currency) over a golden NDJSON of the first edition's events. A store
// imported from it gives exactly what a store written fresh in today's shapes gives, and its
// export, without --upcast, is the golden file byte for byte, whatever the domain declares.

const FIXTURE = join(ROOT, 'fixtures/bank-evolved');
const OLD_EVENTS = join(FIXTURE, 'v1-events.ndjson');
const TODAY_EVENTS = join(FIXTURE, 'today-events.ndjson');
const BANK = join(ROOT, 'fixtures/bank/eventlite.config.ts');
const read = (path: string) => readFileSync(path, 'utf8');

/** Where the schema_version migration stands in a list: a store before it has no versions. */
const beforeVersions = (migrations: readonly string[]) =>
  migrations.findIndex((sql) => /ADD COLUMN schema_version/i.test(sql));

/**
 * A store as the eventlite before schema versions left it, holding `lines` (export lines):
 * the migrations before that one, and the rows written by hand.
 */
async function storeBeforeVersions(store: StoreUnderTest, cwd: string, lines: string[]) {
  const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const row = (event: Record<string, unknown>) => [
    event.id,
    event.stream,
    event.version,
    event.type,
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
    event.recordedAt,
  ];
  if (isPgUrl(store.db)) {
    const count = beforeVersions(PG_STORE_MIGRATIONS);
    await withPg(store.db, async (client) => {
      for (const sql of PG_STORE_MIGRATIONS.slice(0, count)) await client.query(sql);
      await client.query('INSERT INTO eventlite.meta (schema_version) VALUES ($1)', [count]);
      for (const event of events) {
        await client.query(
          `INSERT INTO eventlite.events (position, id, stream, version, type, data, metadata, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [event.position, ...row(event)],
        );
      }
      await client.query('UPDATE eventlite.head SET position = $1', [events.length]);
    });
    return;
  }
  const count = beforeVersions(STORE_SCHEMA.migrations);
  const db = new Database(join(cwd, store.db));
  try {
    db.exec(STORE_SCHEMA.migrations.slice(0, count).join('\n'));
    db.pragma(`application_id = ${STORE_SCHEMA.applicationId}`);
    db.pragma(`user_version = ${count}`);
    const insert = db.prepare(
      'INSERT INTO events (id, stream, version, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const event of events) insert.run(...row(event));
  } finally {
    db.close();
  }
}

describe.each(backends())('evolving the bank example on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let old: StoreUnderTest;
  let fresh: StoreUnderTest;
  const domain = () => join(folder.dir, 'eventlite.config.ts');
  const cli = (store: StoreUnderTest, args: string[], input?: string) =>
    runOn(store, args, { cwd: folder.dir, input });
  const ok = async (store: StoreUnderTest, args: string[]) => {
    const result = await cli(store, args);
    expect(result.stderr.startsWith('error'), result.stderr).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const imported = async (store: StoreUnderTest, file: string) =>
    expect((await ok(store, ['import', file])).stderr).toBe('imported 8 events; head is at 8\n');

  beforeEach(async () => {
    folder = tempDir();
    // A copy per test, so that a test may edit the module.
    cpSync(FIXTURE, folder.dir, { recursive: true });
    old = await backend.freshStore();
    fresh = await backend.otherStore('fresh.db');
  });
  afterEach(async () => {
    await old.cleanup();
    await fresh.cleanup();
    folder.cleanup();
  });

  it("old shapes and names read exactly as a store written in today's shapes", async () => {
    await imported(old, OLD_EVENTS);
    await imported(fresh, TODAY_EVENTS);
    // Stored rows never change: export prints them as stored, with or without upcasters.
    expect((await ok(old, ['export'])).stdout).toBe(read(OLD_EVENTS));
    expect((await ok(old, ['--domain', BANK, 'export'])).stdout).toBe(read(OLD_EVENTS));
    expect((await ok(old, ['export', '--upcast'])).stdout).toBe(read(TODAY_EVENTS));
    expect((await ok(fresh, ['export', '--upcast'])).stdout).toBe(read(TODAY_EVENTS));

    const both = async (args: string[]) => {
      const [a, b] = [await ok(old, args), await ok(fresh, args)];
      expect(a.stdout).toBe(b.stdout);
      return a.stdout;
    };
    expect(await both(['state', 'account-acc-1', '--format', 'json'])).toBe(
      '{"open":true,"owner":"Ada Lovelace","balance":120}\n',
    );
    expect(await both(['state', 'account-acc-2', '--at', '2', '--format', 'json'])).toBe(
      '{"open":true,"owner":"Grace Hopper","balance":40}\n',
    );
    await both(['projections', 'run']);
    await both(['projections', 'rebuild']);
    expect(
      await both(['query', 'SELECT * FROM account_summary ORDER BY account_id', '--format', 'csv']),
    ).toBe(
      'account_id,owner,balance,currency,last_updated\n' +
        'acc-1,Ada Lovelace,120,EUR,2025-09-02T09:16:00.000Z\n' +
        'acc-2,Grace Hopper,35,EUR,2025-10-03T09:17:00.000Z\n',
    );
    const specs = await both(['test', 'specs', '--format', 'json']);
    expect(JSON.parse(specs)).toHaveLength(4);

    const deposit = ['--clock', '2026-02-01T00:00:00.000Z', 'exec', 'Deposit'];
    const exec = async (store: StoreUnderTest) => {
      const args = [...deposit, '{"accountId":"acc-2","amount":5}', '--correlation-id', 'c1'];
      const event = JSON.parse((await ok(store, args)).stdout) as { id: string };
      return { ...event, id: 'an id' };
    };
    expect(await exec(old)).toEqual(await exec(fresh));
    expect(await exec(old)).toEqual({
      position: 10,
      stream: 'account-acc-2',
      version: 6,
      type: 'MoneyDeposited',
      schemaVersion: 2,
      id: 'an id',
      data: { accountId: 'acc-2', amount: 5, balance: 45, currency: 'EUR' },
      metadata: { command: 'Deposit', correlationId: 'c1' },
      recordedAt: '2026-02-01T00:00:00.000Z',
    });
  });

  it('a store written before schema versions keeps its export byte for byte', async () => {
    const lines = read(OLD_EVENTS).trim().split('\n');
    expect(beforeVersions(STORE_SCHEMA.migrations)).toBeGreaterThan(0);
    await storeBeforeVersions(old, folder.dir, lines);
    expect((await ok(old, ['export'])).stdout).toBe(read(OLD_EVENTS));
    const verify = JSON.parse((await ok(old, ['verify', '--format', 'json'])).stdout) as {
      ok: boolean;
    }[];
    expect(verify.every((check) => check.ok)).toBe(true);
    expect((await ok(old, ['export', '--upcast'])).stdout).toBe(read(TODAY_EVENTS));
  });

  it("export --upcast | import gives a store in today's shapes that verify passes", async () => {
    await imported(old, OLD_EVENTS);
    const upcast = (await ok(old, ['export', '--upcast'])).stdout;
    const copied = await cli(fresh, ['import', '-'], upcast);
    expect([copied.code, copied.stderr]).toEqual([0, 'imported 8 events; head is at 8\n']);
    expect((await ok(fresh, ['verify', '--format', 'json'])).stdout).toContain('"ok":true');
    expect((await ok(fresh, ['export'])).stdout).toBe(read(TODAY_EVENTS));
    // Importing the same again is a safe retry.
    expect((await cli(fresh, ['import', '-'], upcast)).stderr).toBe(
      'imported 0 events (8 already stored, skipped); head is at 8\n',
    );
  });

  it('types lists each stored type per schema version, with what the domain declares', async () => {
    await imported(old, OLD_EVENTS);
    await ok(old, ['exec', 'Deposit', '{"accountId":"acc-1","amount":1}']);
    const csv = (await ok(old, ['types', '--format', 'csv'])).stdout.split('\n');
    expect(csv.slice(0, 4)).toEqual([
      'type,schemaVersion,events,firstRecordedAt,lastRecordedAt,readsAs,currentVersion,declared',
      'AccountOpened,1,2,2025-03-01T09:10:00.000Z,2025-05-03T09:12:00.000Z,AccountOpened,1,true',
      'Deposited,1,2,2025-04-02T09:11:00.000Z,2025-06-04T09:13:00.000Z,MoneyDeposited,2,true',
      'MoneyDeposited,1,2,2025-07-05T09:14:00.000Z,2025-10-03T09:17:00.000Z,MoneyDeposited,2,true',
    ]);
    expect(csv[4]).toMatch(/^MoneyDeposited,2,1,[^,]+,[^,]+,MoneyDeposited,2,true$/);
    expect(csv.slice(5)).toEqual([
      'MoneyWithdrawn,1,2,2025-08-01T09:15:00.000Z,2025-09-02T09:16:00.000Z,MoneyWithdrawn,1,true',
      '',
    ]);
    // A domain that declares nothing: every type undeclared; no domain at all: unknown.
    const bank = await ok(old, ['--domain', BANK, 'types', '--format', 'ndjson']);
    expect(JSON.parse(bank.stdout.split('\n')[1]!)).toEqual({
      type: 'Deposited',
      schemaVersion: 1,
      events: 2,
      firstRecordedAt: '2025-04-02T09:11:00.000Z',
      lastRecordedAt: '2025-06-04T09:13:00.000Z',
      readsAs: 'Deposited',
      currentVersion: null,
      declared: false,
    });
    rmSync(domain());
    const none = await cli(old, ['types', '--json']);
    expect(none.code).toBe(0);
    const rows = JSON.parse(none.stdout) as { declared: unknown; currentVersion: unknown }[];
    expect(rows.map((row) => [row.declared, row.currentVersion])).toEqual(
      rows.map(() => [null, null]),
    );
  });

  it('log, read and export print what is stored unless --upcast', async () => {
    await imported(old, OLD_EVENTS);
    const stored = await ok(old, ['read', 'account-acc-1', '--format', 'table']);
    expect(stored.stdout.split('\n')[1]).toBe(
      '     #2  account-acc-1@2  Deposited  {"accountId":"acc-1","amount":100,"balance":100}  2025-04-02T09:11:00.000Z',
    );
    const upcast = await ok(old, ['read', 'account-acc-1', '--upcast', '--format', 'table']);
    expect(upcast.stdout.split('\n')[1]).toBe(
      '     #2  account-acc-1@2  MoneyDeposited  {"accountId":"acc-1","amount":100,"balance":100,"currency":"EUR"}  2025-04-02T09:11:00.000Z',
    );
    // --type with --upcast finds the old names of the type too.
    const positions = async (args: string[]) =>
      (await ok(old, ['log', ...args, '--format', 'ndjson'])).stdout
        .trim()
        .split('\n')
        .map((line) => {
          const event = JSON.parse(line) as { position: number; type: string };
          return `${event.position} ${event.type}`;
        });
    expect(await positions(['--type', 'MoneyDeposited'])).toEqual([
      '5 MoneyDeposited',
      '8 MoneyDeposited',
    ]);
    expect(await positions(['--type', 'MoneyDeposited', '--upcast', '--from', '3'])).toEqual([
      '4 MoneyDeposited',
      '5 MoneyDeposited',
      '8 MoneyDeposited',
    ]);
    // diagram draws each stored type under its name of today.
    const diagram = (await ok(old, ['diagram'])).stdout;
    expect(diagram).toContain('  c_Deposit --> e_MoneyDeposited\n');
    expect(diagram).not.toContain('e_Deposited');
    const oneStream = await ok(old, ['export', '--stream', 'account-acc-2', '--upcast']);
    expect(oneStream.stdout).toBe(
      read(TODAY_EVENTS)
        .split('\n')
        .filter((line) => line.includes('"account-acc-2"'))
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  it('replay --step shows the state folded from old events as exec folds it', async () => {
    // Ada's account as the first edition left it: opened, then a deposit stored as Deposited.
    const history = read(OLD_EVENTS).split('\n').slice(0, 2).join('\n');
    expect((await cli(old, ['import', '-'], history)).code).toBe(0);
    writeFileSync(
      join(folder.dir, 'story.ndjson'),
      '{"command":"Withdraw","data":{"accountId":"acc-1","amount":30}}\n',
    );
    const stepped = await cli(old, ['replay', 'story.ndjson', '--step'], '\n');
    expect([stepped.code, stepped.stdout.split('\n')[1]]).toEqual([
      0,
      'state before  account-acc-1 at version 2: {"open":true,"owner":"Ada Lovelace","balance":100}',
    ]);
  });

  it('import refuses an id stored with other content, naming it, and changes nothing', async () => {
    await imported(old, OLD_EVENTS);
    const rewritten = read(OLD_EVENTS).replace(
      '"amount":100,"balance":100',
      '"amount":1,"balance":1',
    );
    const id = '018f2b3c-0000-7000-8000-000000000002';
    const refused = await cli(old, ['import', '-'], rewritten);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([
      3,
      '',
      `error: duplicate event id ${id}: already stored in "account-acc-1" with other content (data differs); an import adds what the store lacks and never changes a stored event\n`,
    ]);
    expect((await ok(old, ['export'])).stdout).toBe(read(OLD_EVENTS));
  });

  it('an edited upcaster marks the projections that read its type stale', async () => {
    await imported(old, OLD_EVENTS);
    await ok(old, ['projections', 'run']);
    writeFileSync(domain(), read(domain()).replace("currency: 'EUR' })", "currency: 'ECU' })"));
    const rerun = await ok(old, ['projections', 'run']);
    expect(rerun.stderr).toBe(
      `rebuilding projection "account_summary" from event 1 (its handlers or its events' upcasters changed)\n` +
        'account_summary: at position 8\n',
    );
    const rows = await ok(old, ['query', 'SELECT DISTINCT currency FROM account_summary']);
    expect(rows.stdout).toBe('{"currency":"ECU"}\n');
  });

  it('check warns of a handler for an old name, also when type-checking fails', async () => {
    await imported(old, OLD_EVENTS);
    // An old name's events read as today's type: a handler for it is never called (and,
    // with the projection typed by today's events, it does not type-check either).
    writeFileSync(
      domain(),
      read(domain()).replace('  on: {\n', '  on: {\n    Deposited: () => undefined,\n'),
    );
    const result = await cli(old, ['check']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        'eventlite.config.ts: every stored event reads as a declared type of today\n',
    );
    expect(result.stderr).toMatch(/^eventlite\.config\.ts\(\d+,\d+\): error TS/);
    expect(result.stderr).toMatch(
      /\nwarning: projection "account_summary" handles Deposited, an old name whose events read as MoneyDeposited: it is never called\nerror: eventlite\.config\.ts: 1 type error \(TypeScript [\d.]+\)\n$/,
    );
  });

  it('check fails on a stored type and version with no path to today, naming it and its count', async () => {
    await imported(old, OLD_EVENTS);
    writeFileSync(domain(), read(domain()).replace('version: 2,', 'version: 3,'));
    const noPath = await cli(old, ['check', '--no-types']);
    expect([noPath.code, noPath.stdout, noPath.stderr]).toEqual([
      2,
      'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        "eventlite.config.ts: every projection handler's event type is in the store\n",
      'error: eventlite.config.ts: stored Deposited version 1 (2 events) cannot be read: no path to MoneyDeposited version 3: there is no upcast[2]; ' +
        'stored MoneyDeposited version 1 (2 events) cannot be read: no path to MoneyDeposited version 3: there is no upcast[2]\n',
    ]);
    // Without its old name declared, Deposited is a type of nothing.
    writeFileSync(
      domain(),
      read(join(FIXTURE, 'eventlite.config.ts')).replace(
        "    Deposited: { renamedTo: 'MoneyDeposited' },\n",
        '',
      ),
    );
    const undeclared = await cli(old, ['check', '--no-types']);
    expect([undeclared.code, undeclared.stderr]).toEqual([
      2,
      'error: eventlite.config.ts: stored Deposited version 1 (2 events) is not declared in events: declare it, or give its name of today with renamedTo\n',
    ]);
  });
});
