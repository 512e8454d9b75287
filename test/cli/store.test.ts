import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultReadDb,
  expectNoPassword,
  pgSchemaContents,
  pgSchemas,
  runOn,
  shown,
  storeExists,
  storeFingerprint,
  withPg,
} from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { cliEnv, parseNdjson, tempDir } from '../helpers/cli.js';

// The store's commands, run as a user runs them, in process from the sources: argv in, exact
// output and exit code out, in a temporary folder. The pipe test spawns the built binary.
// Every test runs once per backend: on a SQLite file and on a fresh PostgreSQL database.

interface EventJson {
  position: number;
  stream: string;
  version: number;
  type: string;
  id: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  /** Stores a test asked for besides `store`, dropped after it. */
  const others: StoreUnderTest[] = [];
  const cli = (args: string[], input?: string, env?: Record<string, string>) =>
    runOn(store, args, { cwd: folder.dir, input, env });
  /** Another empty store: SQLite's the file `name`, PostgreSQL's another database. */
  async function another(name: string): Promise<StoreUnderTest> {
    const other = await backend.otherStore(name);
    others.push(other);
    return other;
  }

  async function log(): Promise<EventJson[]> {
    const result = await cli(['log', '--format', 'ndjson']);
    expect(result.code).toBe(0);
    return parseNdjson(result.stdout) as EventJson[];
  }

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
  });
  afterEach(async () => {
    for (const other of others.splice(0)) await other.cleanup();
    await store.cleanup();
    folder.cleanup();
  });

  describe('init and append', () => {
    it('creates the store once and appends events in the contract shape', async () => {
      for (let round = 0; round < 2; round += 1) {
        expect(await cli(['init'])).toMatchObject({
          code: 0,
          stdout: '',
          stderr: `event store ready at ${shown(store.db)}\n`,
        });
      }
      const appended = await cli([
        'append',
        'account-a1',
        'MoneyDeposited',
        '{"amount":100}',
        '--metadata',
        '{"by":"teller"}',
        '--format',
        'ndjson',
      ]);
      expect(appended).toMatchObject({ code: 0, stderr: '' });
      const [event] = parseNdjson(appended.stdout) as EventJson[];
      expect(Object.keys(event!)).toEqual([
        'position',
        'stream',
        'version',
        'type',
        'id',
        'data',
        'metadata',
        'recordedAt',
      ]);
      expect(event).toMatchObject({
        position: 1,
        stream: 'account-a1',
        version: 1,
        type: 'MoneyDeposited',
        data: { amount: 100 },
        metadata: { by: 'teller' },
      });
      expect(Date.parse(event!.recordedAt)).not.toBeNaN();
    });

    it('reads DATA from stdin when it is - or absent', async () => {
      expect((await cli(['append', 's', 'T', '-'], '{"from":"dash"}')).code).toBe(0);
      expect((await cli(['append', 's', 'T'], '{"from":"pipe"}\n')).code).toBe(0);
      expect((await log()).map((e) => e.data)).toEqual([{ from: 'dash' }, { from: 'pipe' }]);
    });

    it('enforces expected versions with exit 3 and a message naming stream, expected and actual', async () => {
      expect(
        (await cli(['append', 'acc', 'T', '{}', '--expected-version', 'no-stream'])).code,
      ).toBe(0);
      const conflict = await cli(['append', 'acc', 'T', '{}', '--expected-version', '0']);
      expect(conflict.code).toBe(3);
      expect(conflict.stderr).toBe(
        'error: version conflict on stream "acc": expected 0, actual 1\n',
      );
      const missing = await cli(['append', 'nope', 'T', '{}', '--expected-version', 'exists']);
      expect(missing.code).toBe(3);
      expect((await cli(['append', 'acc', 'T', '{}', '--expected-version', '1'])).code).toBe(0);
      expect((await log()).map((e) => [e.stream, e.version])).toEqual([
        ['acc', 1],
        ['acc', 2],
      ]);
    });

    it('treats a retry with the same --id as success, and the id in another stream as exit 3', async () => {
      const id = '0b6c1d2e-0000-4000-8000-000000000001';
      const args = ['append', 'acc', 'T', '{"n":1}', '--id', id, '--expected-version', 'no-stream'];
      expect((await cli(args)).code).toBe(0);
      const retry = await cli(args);
      expect(retry.code).toBe(0);
      expect(retry.stderr).toMatch(/already stored: acc is at version 1; nothing appended/);
      const elsewhere = await cli(['append', 'other', 'T', '{}', '--id', id]);
      expect(elsewhere.code).toBe(3);
      expect(elsewhere.stderr).toBe(
        `error: duplicate event id ${id}: already stored in stream "acc"\n`,
      );
      expect(await log()).toHaveLength(1);
    });

    it('appends a --file batch atomically, and a bad line appends nothing', async () => {
      const good = [
        '{"type":"A","data":{"n":1}}',
        '',
        '{"type":"B","data":{"n":2},"metadata":{"m":1}}',
      ];
      writeFileSync(join(folder.dir, 'good.ndjson'), good.join('\n') + '\n');
      const ok = await cli(['append', 'batch', '--file', 'good.ndjson', '--format', 'ndjson']);
      expect(ok.code).toBe(0);
      expect((parseNdjson(ok.stdout) as EventJson[]).map((e) => e.version)).toEqual([1, 2]);

      const bad = ['{"type":"C","data":{}}', '{"type":"D","data":{}}', '{"type":"E","data":[1]}'];
      writeFileSync(join(folder.dir, 'bad.ndjson'), bad.join('\n'));
      const refused = await cli(['append', 'batch', '--file', 'bad.ndjson']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'error: bad.ndjson:3: "data" must be a JSON object, got an array\n',
      );
      const fromStdin = await cli(['append', 'batch', '--file', '-'], '{"type":"F"}\n{oops\n');
      expect(fromStdin.code).toBe(2);
      expect(fromStdin.stderr).toMatch(/^error: stdin:2: not valid JSON/);
      expect((await log()).map((e) => e.type)).toEqual(['A', 'B']);
    });
  });

  describe('reading', () => {
    beforeEach(async () => {
      const lines = Array.from({ length: 5 }, (_, n) =>
        JSON.stringify({ type: 'Step', data: { n: n + 1 } }),
      );
      expect((await cli(['append', 'order-1', '--file', '-'], lines.join('\n'))).code).toBe(0);
      expect((await cli(['append', 'customer-1', 'Registered', '{"email":"a@b.c"}'])).code).toBe(0);
      expect((await cli(['append', 'order-2', 'Step', '{"n":1}'])).code).toBe(0);
    });

    it('reads a stream forwards, backwards, from a version, with a limit', async () => {
      const versions = async (...flags: string[]) =>
        (
          parseNdjson(
            (await cli(['read', 'order-1', '--format', 'ndjson', ...flags])).stdout,
          ) as EventJson[]
        ).map((e) => e.version);
      expect(await versions()).toEqual([1, 2, 3, 4, 5]);
      expect(await versions('--from', '3')).toEqual([3, 4, 5]);
      expect(await versions('--limit', '2')).toEqual([1, 2]);
      expect(await versions('--backwards', '--limit', '2')).toEqual([5, 4]);
      expect(await versions('--backwards', '--from', '2')).toEqual([2, 1]);
      const missing = await cli(['read', 'order-99']);
      expect(missing).toMatchObject({
        code: 5,
        stdout: '',
        stderr: 'error: stream "order-99" does not exist\n',
      });
    });

    it('prints the log from a position (inclusive), by type, and [] as JSON when empty', async () => {
      const positions = async (...flags: string[]) =>
        (
          parseNdjson((await cli(['log', '--format', 'ndjson', ...flags])).stdout) as EventJson[]
        ).map((e) => e.position);
      expect(await positions()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await positions('--from', '6')).toEqual([6, 7]);
      expect(await positions('--from', '2', '--limit', '2')).toEqual([2, 3]);
      expect(await positions('--type', 'Registered', '--type', 'Nope')).toEqual([6]);
      const empty = await cli(['log', '--json', '--from', '100']);
      expect(empty).toMatchObject({ code: 0, stdout: '[]\n' });
      const json = JSON.parse((await cli(['log', '--json', '--limit', '2'])).stdout) as EventJson[];
      expect(json.map((e) => e.position)).toEqual([1, 2]);
    });

    it('lists streams with --prefix and --limit', async () => {
      const result = await cli(['streams', '--json', '--prefix', 'order-']);
      const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
      expect(rows.map((row) => [row.stream, row.version])).toEqual([
        ['order-1', 5],
        ['order-2', 1],
      ]);
      expect(Object.keys(rows[0]!)).toEqual([
        'stream',
        'version',
        'firstRecordedAt',
        'lastRecordedAt',
      ]);
      const limited = JSON.parse(
        (await cli(['streams', '--json', '--limit', '1'])).stdout,
      ) as unknown[];
      expect(limited).toEqual([expect.objectContaining({ stream: 'customer-1' })]);
    });

    it('reports status and verifies a healthy store', async () => {
      const status = JSON.parse((await cli(['status', '--json'])).stdout) as Record<
        string,
        unknown
      >;
      expect(status).toMatchObject({
        head: 7,
        streams: 3,
        events: 7,
        store: shown(store.db),
        readDb: shown(defaultReadDb(store.db)),
      });
      const verify = await cli(['verify', '--json']);
      expect(verify.code).toBe(0);
      const checks = JSON.parse(verify.stdout) as { ok: boolean }[];
      expect(checks.length).toBeGreaterThanOrEqual(4);
      expect(checks.every((check) => check.ok)).toBe(true);
    });

    it('prints no colour codes when output is not a terminal', async () => {
      const result = await cli(['log', '--format', 'table']);
      expect(result.stdout).toMatch(/order-1@1 {2}Step/);
      expect(result.stdout).not.toContain('\u001b[');
    });

    it('ends quietly with 0 when the reader closes the pipe', async () => {
      const lines = Array.from({ length: 20000 }, (_, n) =>
        JSON.stringify({ type: 'Bulk', data: { n } }),
      );
      expect((await cli(['append', 'bulk', '--file', '-'], lines.join('\n'))).code).toBe(0);
      const bin = JSON.stringify(join(process.cwd(), 'bin/eventlite.js'));
      const piped = await cli([]).then(() =>
        import('node:child_process').then(({ spawnSync }) =>
          spawnSync(
            'bash',
            ['-c', `node ${bin} log --format ndjson | head -1; echo "exit=\${PIPESTATUS[0]}"`],
            {
              cwd: folder.dir,
              encoding: 'utf8',
              env: cliEnv(store.env),
            },
          ),
        ),
      );
      expectNoPassword(piped);
      const [first, exit] = piped.stdout.trim().split('\n');
      expect(JSON.parse(first!)).toMatchObject({ position: 1 });
      expect(exit).toBe('exit=0');
      expect(piped.stderr).toBe('');
    });
  });

  describe('export and import', () => {
    it('round-trips byte for byte into an empty store, and a second import adds nothing', async () => {
      await cli([
        'append',
        'a',
        'Opened',
        '{"owner":"Ada","nested":{"x":[1,2]}}',
        '--metadata',
        '{"k":"v"}',
      ]);
      await cli(['append', 'b', 'Opened', '{"owner":"Bo"}']);
      await cli(['append', 'a', 'Deposited', '{"amount":1.5}']);
      const exported = await cli(['export']);
      expect(exported.code).toBe(0);
      writeFileSync(join(folder.dir, 'export.ndjson'), exported.stdout);

      const copy = (await another('copy.db')).db;
      const imported = await cli(['--db', copy, 'import', 'export.ndjson']);
      expect(imported.code).toBe(0);
      expect(imported.stderr).toBe('imported 3 events; head is at 3\n');
      const again = await cli(['--db', copy, 'import', '-'], exported.stdout);
      expect(again.stderr).toBe('imported 0 events (3 already stored, skipped); head is at 3\n');
      const reExported = await cli(['--db', copy, 'export']);
      expect(reExported.stdout).toBe(exported.stdout);

      const oneStream = await cli(['export', '--stream', 'a', '--from', '3']);
      expect((parseNdjson(oneStream.stdout) as EventJson[]).map((e) => e.type)).toEqual([
        'Deposited',
      ]);
    });

    it('imports all or nothing, naming the bad line, and leaves no new store behind', async () => {
      const line = (n: number, extra = '') =>
        `{"stream":"s","type":"T","id":"00000000-0000-7000-8000-00000000000${n}","data":{},"metadata":{},"recordedAt":"2026-01-01T00:00:00.000Z"${extra}}`;
      writeFileSync(join(folder.dir, 'bad.ndjson'), [line(1), line(2), '{"stream":"s"'].join('\n'));
      const result = await cli(['import', 'bad.ndjson']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: bad\.ndjson:3 is not valid JSON/);
      const status = await cli(['status', '--json']);
      expect(status.code).toBe(5);
      expect(status.stderr).toMatch(/no event store at /);

      expect((await cli(['init'])).code).toBe(0);
      expect((await cli(['import', 'bad.ndjson'])).code).toBe(2);
      const kept = JSON.parse((await cli(['status', '--json'])).stdout) as { events: number };
      expect(kept.events).toBe(0);
    });
  });

  describe('bad input changes nothing', () => {
    beforeEach(async () => {
      expect((await cli(['append', 's', 'T', '{"n":1}'])).code).toBe(0);
    });

    it('["--db",OTHER,"log"] exits 5 for a store that does not exist, and creates none', async () => {
      const other = await another('other.db');
      const before = await storeFingerprint(store.db, folder.dir);
      const result = await cli(['--db', other.db, 'log']);
      expect(result).toMatchObject({
        code: 5,
        stdout: '',
        stderr: `error: no event store at ${shown(other.db)} (create one with "eventlite init")\n`,
      });
      expect(await storeExists(other.db, folder.dir)).toBe(false);
      expect(await storeFingerprint(store.db, folder.dir)).toBe(before);
      expect((await log()).map((e) => e.data)).toEqual([{ n: 1 }]);
    });

    // About a file as such: PostgreSQL's counterpart is the foreign database below.
    it.runIf(backend.name === 'sqlite')(
      'refuses a file that is not SQLite with exit 1, leaving it as it was',
      async () => {
        const text = 'not a database\n'.repeat(500);
        writeFileSync(join(folder.dir, 'notes.db'), text);
        for (const args of [
          ['--db', 'notes.db', 'log'],
          ['--db', 'notes.db', 'append', 's', 'T', '{}'],
        ]) {
          const result = await cli(args);
          expect(result.code).toBe(1);
          expect(result.stderr).toBe('error: notes.db is not a SQLite database\n');
        }
        expect(readFileSync(join(folder.dir, 'notes.db'), 'utf8')).toBe(text);
      },
    );

    it.runIf(backend.name === 'postgres')(
      'refuses a database that holds other tables with exit 1, leaving it as it was',
      async () => {
        const notes = await another('notes');
        await withPg(notes.db, (client) =>
          client.query(`CREATE TABLE notes (line text); INSERT INTO notes VALUES ('not an event')`),
        );
        const look = async () => [
          await pgSchemas(notes.db),
          await pgSchemaContents(notes.db, 'public'),
        ];
        const before = await look();
        for (const args of [
          ['--db', notes.db, 'log'],
          ['--db', notes.db, 'append', 's', 'T', '{}'],
          ['--db', notes.db, 'init'],
        ]) {
          const result = await cli(args);
          expect(result.code).toBe(1);
          expect(result.stderr).toBe(
            `error: ${shown(notes.db)} is a PostgreSQL database but not an eventlite event store\n`,
          );
        }
        expect(await look()).toEqual(before);
      },
    );

    // On SQLite `store` is the default ./eventlite.db; on PostgreSQL it is named by
    // EVENTLITE_DB, which the test's own EVENTLITE_DB then overrides.
    it('takes the store from --db over EVENTLITE_DB over the default', async () => {
      const fromEnv = (await another('env.db')).db;
      const fromFlag = (await another('flag.db')).db;
      expect(
        (await cli(['append', 'e', 'T', '{}'], undefined, { EVENTLITE_DB: fromEnv })).code,
      ).toBe(0);
      expect(
        (
          await cli(['--db', fromFlag, 'append', 'f', 'T', '{}'], undefined, {
            EVENTLITE_DB: fromEnv,
          })
        ).code,
      ).toBe(0);
      const streamsIn = async (db: string) =>
        (
          JSON.parse((await cli(['--db', db, 'streams', '--json'])).stdout) as { stream: string }[]
        ).map((s) => s.stream);
      expect(await streamsIn(fromEnv)).toEqual(['e']);
      expect(await streamsIn(fromFlag)).toEqual(['f']);
      expect(await streamsIn(store.db)).toEqual(['s']);
    });
  });
});

// Each case checks that its refusal changed nothing (the store's fingerprint, its log), so the
// cases share one store a backend: a fresh PostgreSQL store each costs a database.
describe.each(backends())('bad input changes nothing, on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });

  beforeAll(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    expect((await cli(['append', 's', 'T', '{"n":1}'])).code).toBe(0);
  });
  afterAll(async () => {
    await store?.cleanup();
    folder?.cleanup();
  });

  it.each([
    [['append', 's', 'T', '{bad'], 2, /^error: DATA is not valid JSON/],
    [
      ['append', 's', 'T', '"just a string"'],
      2,
      /^error: DATA must be a JSON object, got string "just a string"/,
    ],
    [['append', 's', 'T', '{}', '--metadata', '[]'], 2, /^error: --metadata must be a JSON object/],
    [['append', 's', 'T', '{}', '--id', 'nope'], 2, /^error: --id must be a UUID/],
    [
      ['append', 's', 'T', '{}', '--expected-version', 'soon'],
      2,
      /^error: --expected-version must be/,
    ],
    [['append', '', 'T', '{}'], 2, /^error: stream name must be a non-empty string/],
    [['append', 's', '--file', 'missing.ndjson'], 5, /^error: no such file: missing\.ndjson/],
    [['log', '--limit', '-3'], 2, /^error: --limit must be a positive integer, got "-3"/],
    [['log', '--limit', 'ten'], 2, /^error: --limit must be a positive integer, got "ten"/],
    [['log', '--frobnicate'], 2, /^error: unknown option '--frobnicate'/],
    [['log', '--format', 'xml'], 2, /^error: option '--format <format>' argument 'xml' is invalid/],
    [['launch'], 2, /^error: unknown command 'launch'/],
    [['import', 'missing.ndjson'], 5, /^error: no such file: missing\.ndjson/],
  ])('%j exits %i', async (args, code, message) => {
    const before = await storeFingerprint(store.db, folder.dir);
    const result = await cli(args as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await storeFingerprint(store.db, folder.dir)).toBe(before);
    const log = await cli(['log', '--format', 'ndjson']);
    expect(log.code).toBe(0);
    expect(parseNdjson(log.stdout).map((e) => (e as EventJson).data)).toEqual([{ n: 1 }]);
  });
});
