import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { InputError, StoreBusyError } from '../../src/core/errors.js';
import type { ReadStore } from '../../src/core/ports.js';
import { READ_SCHEMA_VERSION as SQLITE_READ_SCHEMA_VERSION } from '../../src/store/sqlite/read/schema.js';
import { READ_SCHEMA_VERSION } from '../../src/store/postgres/read/schema.js';
import { openReadConnection } from '../../src/store/postgres/read/connection.js';
import { runQuery } from '../../src/store/postgres/read/query.js';
import { runQueryPages } from '../../src/store/postgres/read/query-pages.js';
import { openPostgresReadStore } from '../../src/store/postgres/read/store.js';
import { freshPgDatabase, pgServerUrl } from '../helpers/postgres.js';
import { describeReadStore, event, SUMMARY, summaryStatements } from './read-store.suite.js';

const enabled = inject('pgServerUrl') !== null;
const T = '2026-11-26T10:00:00.000Z';

async function openWrite(url: string, options: { schema?: string } = {}): Promise<ReadStore> {
  return (await openPostgresReadStore(url, { mode: 'write', ...options })) as ReadStore;
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** account_summary applied to checkpoint 5 in `read`: a 130, b 30. */
async function addAccounts(read: ReadStore): Promise<ReadStore> {
  await read.createProjection(SUMMARY, T);
  const events = [
    event(1, 'AccountOpened', { id: 'a', owner: 'Ada' }),
    event(2, 'AccountOpened', { id: 'b', owner: 'Bob' }),
    event(3, 'MoneyDeposited', { id: 'a', amount: 130 }),
    event(4, 'MoneyDeposited', { id: 'b', amount: 30 }),
  ];
  await read.applyBatch(
    SUMMARY.name,
    { from: 0, to: 5, events, statementsFor: summaryStatements() },
    { version: 1, definitionHash: 'def-1', at: T },
  );
  return read;
}

if (enabled) {
  describeReadStore('PostgreSQL', async () => {
    const database = await freshPgDatabase();
    const read = await openWrite(database.url);
    return {
      read,
      readOnly: () => openPostgresReadStore(database.url, { mode: 'read' }),
      cleanup: async () => {
        await read.close();
        await database.drop();
      },
    };
  });
}

describe.runIf(enabled)('PostgreSQL read store', () => {
  let database: { url: string; drop(): Promise<void> };
  const closing: ReadStore[] = [];
  const track = <S extends ReadStore | undefined>(store: S): S => {
    if (store) closing.push(store);
    return store;
  };

  beforeEach(async () => {
    database = await freshPgDatabase();
  });
  afterEach(async () => {
    for (const store of closing.splice(0)) await store.close();
    await database.drop();
  });

  /** A read store with account_summary applied to checkpoint 5: a 130, b 30. */
  async function withAccounts(options: { schema?: string } = {}): Promise<ReadStore> {
    return addAccounts(track(await openWrite(database.url, options)));
  }

  it('reports a rebuild while its session lives, and not once it is gone', async () => {
    const read = await withAccounts();
    const build = await read.startRebuild(SUMMARY, T);
    const during = await read.projectionRow(SUMMARY.name);
    expect(during).toMatchObject({ rebuildingPid: process.pid, rebuildingSince: T });
    // Another connection sees the same: the lock is the server's, not this client's.
    const other = track(await openWrite(database.url));
    expect((await other.projectionRows()).get(SUMMARY.name)?.rebuildingPid).toBe(process.pid);
    await build.abandon();
    expect(await other.projectionRow(SUMMARY.name)).toMatchObject({ rebuildingPid: null });
  });

  it('numbers its bookkeeping like the SQLite read database', () => {
    expect(READ_SCHEMA_VERSION).toBe(SQLITE_READ_SCHEMA_VERSION);
  });

  it('read mode finds nothing in a database without read models, and creates nothing', async () => {
    expect(await openPostgresReadStore(database.url, { mode: 'read' })).toBeUndefined();
    const schemas = await withAdmin(database.url, (admin) =>
      admin.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlite%'"),
    );
    expect(schemas.rows).toEqual([]);
  });

  it('write mode creates the bookkeeping once, even when runners race, in the schema asked for', async () => {
    const stores = await Promise.all(
      [1, 2, 3, 4].map(() => openWrite(database.url, { schema: 'Bank Read' })),
    );
    stores.forEach(track);
    const tables = await withAdmin(database.url, (admin) =>
      admin.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'Bank Read' ORDER BY tablename",
      ),
    );
    expect(tables.rows.map((row) => row.tablename)).toEqual([
      'eventlite_projection_objects',
      'eventlite_projection_set_aside',
      'eventlite_projections',
      'eventlite_query_login',
      'eventlite_read_meta',
    ]);
    // One login for queries, however many runners raced to make it.
    const logins = await withAdmin(database.url, (admin) =>
      admin.query('SELECT role FROM "Bank Read".eventlite_query_login'),
    );
    expect(logins.rows).toEqual([
      { role: expect.stringMatching(/^eventlite_query_[0-9a-f]{12}$/) },
    ]);
    expect(stores[0]!.location).toMatch(
      /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/eventlite_test_\w+ \(schema Bank Read\)$/,
    );
    expect(await openPostgresReadStore(database.url, { mode: 'read' })).toBeUndefined();
    expect(
      track(await openPostgresReadStore(database.url, { mode: 'read', schema: 'Bank Read' })),
    ).toBeDefined();
  });

  it('runners racing to create a projection and apply one batch: once each', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => openWrite(database.url)));
    stores.forEach(track);
    await Promise.all(stores.map((store) => store.createProjection(SUMMARY, T)));
    const read = stores[0]!;
    expect(await read.tables()).toEqual([
      { name: 'account_summary', type: 'table', rows: 0, projection: 'account_summary' },
      { name: 'rich_accounts', type: 'view', rows: 0, projection: 'account_summary' },
    ]);
    const events = [
      event(1, 'AccountOpened', { id: 'a', owner: 'Ada' }),
      event(2, 'MoneyDeposited', { id: 'a', amount: 5 }),
    ];
    const applied = await Promise.all(
      stores.map((store) =>
        store.applyBatch(
          SUMMARY.name,
          { from: 0, to: 2, events, statementsFor: summaryStatements() },
          { version: 1, definitionHash: 'def-1', at: T },
        ),
      ),
    );
    expect(applied.filter(Boolean)).toHaveLength(1);
    expect((await read.query('SELECT balance, deposits FROM account_summary')).rows).toEqual([
      { balance: 5, deposits: 1 },
    ]);
  });

  it('refuses read models from a newer eventlite, in both modes', async () => {
    track(await openWrite(database.url));
    await withAdmin(database.url, (admin) =>
      admin.query(
        "UPDATE eventlite_read.eventlite_read_meta SET value = '99' WHERE key = 'schema_version'",
      ),
    );
    const message = new RegExp(
      `\\(schema eventlite_read\\) holds read models from a newer eventlite \\(read schema 99; this version reads up to ${READ_SCHEMA_VERSION}\\); upgrade eventlite$`,
    );
    await expect(openPostgresReadStore(database.url, { mode: 'write' })).rejects.toThrow(message);
    await expect(openPostgresReadStore(database.url, { mode: 'read' })).rejects.toThrow(message);
  });

  it('read mode refuses to write', async () => {
    await withAccounts();
    const reader = track(await openPostgresReadStore(database.url, { mode: 'read' }))!;
    await expect(reader.createProjection(SUMMARY, T)).rejects.toThrow(/opened for reading only/);
  });

  it('a query stops at its statement timeout', async () => {
    await withAccounts();
    const reader = track(
      await openPostgresReadStore(database.url, { mode: 'read', statementTimeoutMs: 200 }),
    )!;
    const started = Date.now();
    const error = await reader.query('SELECT pg_sleep(5)').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      'query failed: canceling statement due to statement timeout',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await reader.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('maps PostgreSQL types to what SQLite would give', async () => {
    const read = await withAccounts();
    const result = await read.query(`
      SELECT count(*) AS n, sum(balance) AS total, ROUND(AVG(balance), 2) AS average,
             ROUND(10.456, 2) AS rounded, ROUND(10, 2) AS whole, 12.50 AS trailing,
             12345678901234567890.5 AS wide, 9007199254740993::bigint AS huge,
             0.1::float8 AS f, 1.5::real AS r,
             DATE_TRUNC('month', TIMESTAMP '2026-11-26 10:00:00') AS month,
             DATE_TRUNC('month', TIMESTAMPTZ '2026-11-26 10:00:00+00') AS month_tz,
             DATE '2026-11-26' AS day, TIME '10:30' AS at, INTERVAL '1 day 02:00' AS span,
             '{"a": [1, 2]}'::jsonb AS doc, '{"b":1}'::json AS raw,
             ARRAY[1, 9007199254740993]::bigint[] AS ids, true AS flag, NULL AS nothing
      FROM account_summary`);
    expect(result.rows).toEqual([
      {
        n: 2,
        total: 160,
        average: 80,
        rounded: 10.46,
        whole: 10,
        trailing: 12.5,
        wide: '12345678901234567890.5',
        huge: '9007199254740993',
        f: 0.1,
        r: 1.5,
        month: '2026-11-01 00:00:00',
        month_tz: '2026-11-01 00:00:00+00',
        day: '2026-11-26',
        at: '10:30:00',
        span: '1 day 02:00:00',
        doc: '{"a": [1, 2]}',
        raw: '{"b":1}',
        ids: [1, '9007199254740993'],
        flag: true,
        nothing: null,
      },
    ]);
    // The parsers belong to the read store's clients: pg's global defaults are untouched.
    expect(pg.types.getTypeParser(20, 'text')('5')).toBe('5');
  });

  it('queries log in as the login a runner made, which reads the read schema and nothing else', async () => {
    await withAccounts();
    await withAdmin(database.url, (admin) =>
      admin.query(`
        CREATE SCHEMA eventlite;
        CREATE TABLE eventlite.events (position BIGINT PRIMARY KEY, data TEXT);
        INSERT INTO eventlite.events VALUES (1, 'secret');`),
    );
    const reader = track(await openPostgresReadStore(database.url, { mode: 'read' }))!;
    const [who] = (await reader.query('SELECT current_user AS now, session_user AS login')).rows;
    expect(who).toEqual({
      now: expect.stringMatching(/^eventlite_query_[0-9a-f]{12}$/),
      login: who!.now,
    });
    expect((await reader.query('SELECT balance FROM rich_accounts')).rows).toEqual([
      { balance: 130 },
    ]);
    await expect(reader.query('SELECT data FROM eventlite.events')).rejects.toThrow(
      'query failed: permission denied for schema eventlite',
    );
    await expect(reader.query('SELECT password FROM eventlite_query_login')).rejects.toThrow(
      'query failed: permission denied for table eventlite_query_login',
    );
    await expect(reader.query('SELECT rolpassword FROM pg_authid')).rejects.toThrow(
      'query failed: permission denied for table pg_authid',
    );
    // tables() and the bookkeeping still run as the connecting role.
    expect((await reader.tables()).map((table) => table.name)).toEqual([
      'account_summary',
      'rich_accounts',
    ]);
    // Rebuilt tables and views are readable too: the swap grants them.
    const build = await closing[0]!.startRebuild({ ...SUMMARY, version: 2 }, T);
    await build.apply({
      from: 0,
      to: 5,
      events: [event(1, 'AccountOpened', { id: 'r', owner: 'Rex' })],
      statementsFor: summaryStatements(),
    });
    await build.swapIn(5, T);
    expect((await reader.query('SELECT account_id FROM account_summary')).rows).toEqual([
      { account_id: 'r' },
    ]);
    expect((await reader.query('SELECT count(*) AS n FROM rich_accounts')).rows).toEqual([
      { n: 0 },
    ]);
  });

  it('the server refuses the query login what the text checks refuse, should they miss it', async () => {
    await withAccounts();
    const [login] = (
      await withAdmin(database.url, (admin) =>
        admin.query<{ role: string; password: string }>(
          'SELECT role, password FROM eventlite_read.eventlite_query_login',
        ),
      )
    ).rows;
    const url = new URL(database.url);
    url.username = login!.role;
    url.password = login!.password;
    const victim = new pg.Client({ connectionString: database.url, application_name: 'victim' });
    const asLogin = new pg.Client({ connectionString: url.toString() });
    await victim.connect();
    await asLogin.connect();
    try {
      const victimPid = (await victim.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await asLogin.query('BEGIN READ ONLY');
      for (const sql of [
        "SELECT set_config('role', 'postgres', true)",
        "SELECT set_config('session_authorization', 'postgres', true)",
        "SELECT pg_read_file('/etc/hostname')",
        "SELECT pg_ls_dir('.')",
        `SELECT pg_terminate_backend(${victimPid})`,
        `SELECT pg_cancel_backend(${victimPid})`,
        'SELECT pg_reload_conf()',
        "SELECT lo_import('/etc/hostname')",
        'SELECT count(*) FROM pg_authid',
        'SELECT count(*) FROM pg_file_settings',
        'SELECT count(*) FROM eventlite_read.eventlite_query_login',
      ]) {
        await asLogin.query('SAVEPOINT attempt');
        const error = await asLogin.query(sql).catch((thrown: unknown) => thrown);
        expect([sql, (error as { code?: string }).code]).toEqual([sql, '42501']);
        await asLogin.query('ROLLBACK TO SAVEPOINT attempt');
      }
      expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await asLogin.end();
      await victim.end();
    }
  });

  it('a query leaves no session advisory lock behind, should one get past the text check', async () => {
    await withAccounts();
    const connection = openReadConnection(database.url, 'eventlite_read');
    try {
      const options = { statementTimeoutMs: 5000 };
      // Straight to the runner of queries, past prepareQuery: what a scanner mistake would let by.
      await runQuery(connection, { text: 'SELECT pg_advisory_lock(4242)', values: [] }, options);
      const { pages } = await runQueryPages(
        connection,
        { text: 'SELECT pg_advisory_lock(4343) FROM account_summary', values: [] },
        options,
        1,
      );
      for await (const page of pages) expect(page).toHaveLength(1);
      const held = await withAdmin(database.url, (admin) =>
        admin.query(
          `SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND objid IN (4242, 4343)
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        ),
      );
      expect(held.rows).toEqual([]);
    } finally {
      await connection.pool.end();
    }
  });

  it('a runner that may not create roles makes no login; queries then refuse, or run on a read-only login', async () => {
    const suffix = Math.random().toString(36).slice(2, 10);
    const runner = `runner_${suffix}`;
    const reader = `reader_${suffix}`;
    const strong = `strong_${suffix}`;
    const as = (role: string) => {
      const url = new URL(database.url);
      url.username = role;
      url.password = 'pw';
      return url.toString();
    };
    await withAdmin(database.url, async (admin) => {
      const database_ = (await admin.query('SELECT current_database() AS name')).rows[0].name;
      await admin.query(`
        CREATE ROLE ${runner} LOGIN PASSWORD 'pw';
        GRANT CREATE ON DATABASE ${database_} TO ${runner};
        CREATE ROLE ${strong} LOGIN PASSWORD 'pw' IN ROLE pg_signal_backend;`);
    });
    try {
      const write = track(await openWrite(as(runner)));
      await write.createProjection(SUMMARY, T);
      const refused = track(await openPostgresReadStore(as(runner), { mode: 'read' }))!;
      await expect(refused.query('SELECT 1')).rejects.toThrow(
        `query refused: PostgreSQL user "${runner}" may do more than read the read models (it owns objects in the database), and there is no login for queries that may only read them: "eventlite projections run" makes one when its role may create roles, or see docs/scaling.md`,
      );
      // docs/scaling.md's one command, run by an administrator.
      await withAdmin(database.url, (admin) =>
        admin.query(`
          CREATE ROLE ${reader} LOGIN PASSWORD 'pw';
          GRANT USAGE ON SCHEMA eventlite_read TO ${reader};
          GRANT SELECT ON ALL TABLES IN SCHEMA eventlite_read TO ${reader};
          ALTER DEFAULT PRIVILEGES FOR ROLE ${runner} GRANT SELECT ON TABLES TO ${reader};`),
      );
      const readOnly = track(await openPostgresReadStore(as(reader), { mode: 'read' }))!;
      expect(
        (await readOnly.query('SELECT session_user AS login, count(*) AS n FROM account_summary'))
          .rows,
      ).toEqual([{ login: reader, n: 0 }]);
      // Named with queryRole: logged in as, with the password the server asks of it.
      process.env.PGPASSWORD = 'pw';
      try {
        const named = track(
          await openPostgresReadStore(as(runner), { mode: 'read', queryRole: reader }),
        )!;
        expect((await named.query('SELECT session_user AS login')).rows).toEqual([
          { login: reader },
        ]);
        const tooStrong = track(
          await openPostgresReadStore(as(runner), { mode: 'read', queryRole: strong }),
        )!;
        await expect(tooStrong.query('SELECT 1')).rejects.toThrow(
          `query refused: query role "${strong}" may do more than read the read models (it is a member of pg_signal_backend); queries log in as a role that may only read them`,
        );
      } finally {
        delete process.env.PGPASSWORD;
      }
      await withAdmin(database.url, (admin) => admin.query(`ALTER ROLE ${reader} NOLOGIN`));
      const noLogin = track(
        await openPostgresReadStore(as(runner), { mode: 'read', queryRole: reader }),
      )!;
      await expect(noLogin.query('SELECT 1')).rejects.toThrow(
        `query refused: query role "${reader}" cannot log in; queries log in as their role, since a query could undo SET ROLE: leave --query-role out to use the login eventlite makes, or name a role that may log in`,
      );
    } finally {
      for (const store of closing.splice(0)) await store.close();
      await database.drop();
      await withAdmin(pgServerUrl(), (admin) =>
        admin.query(`DROP ROLE IF EXISTS ${runner}, ${reader}, ${strong}`),
      );
    }
  });

  it('owns sequences, functions, triggers and types, and a rebuild moves them all', async () => {
    const read = track(await openWrite(database.url));
    const counted = {
      name: 'counted',
      version: 1,
      definitionHash: 'c1',
      schemaHash: 'c1',
      setup: [
        "CREATE TYPE mood AS ENUM ('calm', 'busy')",
        'CREATE TABLE counted (id SERIAL PRIMARY KEY, label TEXT NOT NULL, state mood)',
        'CREATE TABLE counted_total (n INTEGER NOT NULL)',
        'INSERT INTO counted_total VALUES (0)',
        `CREATE FUNCTION bump_total() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN UPDATE counted_total SET n = n + 1; RETURN NEW; END $$`,
        'CREATE TRIGGER counted_bump AFTER INSERT ON counted FOR EACH ROW EXECUTE FUNCTION bump_total()',
      ],
      views: ['CREATE VIEW counted_labels AS SELECT label FROM counted'],
    };
    const insert = (label: string) => () => [
      { sql: "INSERT INTO counted (label, state) VALUES (:label, 'busy')", params: { label } },
    ];
    await read.createProjection(counted, T);
    const owned = async () =>
      (
        await read.query(
          'SELECT name, type FROM eventlite_projection_objects WHERE projection = \'counted\' ORDER BY name COLLATE "C"',
        )
      ).rows;
    const objects = [
      { name: 'bump_total()', type: 'function' },
      { name: 'counted', type: 'table' },
      { name: 'counted_bump on counted', type: 'trigger' },
      { name: 'counted_id_seq', type: 'sequence' },
      { name: 'counted_labels', type: 'view' },
      { name: 'counted_pkey', type: 'index' },
      { name: 'counted_total', type: 'table' },
      { name: 'mood', type: 'type' },
    ];
    expect(await owned()).toEqual(objects);
    await read.applyBatch(
      'counted',
      { from: 0, to: 1, events: [event(1, 'X', {})], statementsFor: insert('old') },
      { version: 1, definitionHash: 'c1', at: T },
    );

    const build = await read.startRebuild({ ...counted, version: 2 }, T);
    await build.apply({
      from: 0,
      to: 1,
      events: [event(1, 'X', {})],
      statementsFor: insert('new'),
    });
    await build.apply({
      from: 1,
      to: 2,
      events: [event(2, 'X', {})],
      statementsFor: insert('newer'),
    });
    await build.swapIn(2, T);
    expect(await owned()).toEqual(objects);
    expect((await read.query('SELECT id, label, state FROM counted ORDER BY id')).rows).toEqual([
      { id: 1, label: 'new', state: 'busy' },
      { id: 2, label: 'newer', state: 'busy' },
    ]);
    // The trigger, its function and the sequence came along and still work.
    await read.applyBatch(
      'counted',
      { from: 2, to: 3, events: [event(3, 'X', {})], statementsFor: insert('after') },
      { version: 2, definitionHash: 'c1', at: T },
    );
    expect((await read.query('SELECT n FROM counted_total')).rows).toEqual([{ n: 3 }]);
    expect((await read.query('SELECT max(id) AS id FROM counted')).rows).toEqual([{ id: 3 }]);
    const leftovers = await read.query(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlite\\_rebuild%'",
    );
    expect(leftovers.rows).toEqual([]);
  });

  it("drops a dead rebuild's scratch schema, and leaves a live one alone", async () => {
    const read = await withAccounts();
    const dead = 'eventlite_rebuild_account_summary_999991';
    const live = 'eventlite_rebuild_account_summary_999992';
    const other = 'eventlite_rebuild_account_summary_v2_999993';
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query(`CREATE SCHEMA ${dead}; CREATE SCHEMA ${live}; CREATE SCHEMA ${other}`);
      await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
        `eventlite_rebuild ${live}`,
      ]);
      const build = await read.startRebuild({ ...SUMMARY, version: 2 }, T);
      const schemas = await holder.query(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlite\\_rebuild%' ORDER BY nspname",
      );
      expect(schemas.rows.map((row) => row.nspname)).toEqual([
        `eventlite_rebuild_account_summary_${process.pid}`,
        live,
        other,
      ]);
      // The same projection rebuilt by a live process of the same pid (another host): refused.
      const second = track(await openWrite(database.url));
      await expect(second.startRebuild(SUMMARY, T)).rejects.toThrow(StoreBusyError);
      await build.abandon();
    } finally {
      await holder.end();
    }
  });

  it('a query running alongside a swap sees the old tables or the new ones, never a mixture', async () => {
    const read = await withAccounts();
    const build = await read.startRebuild({ ...SUMMARY, version: 2, definitionHash: 'def-2' }, T);
    const events = [
      event(1, 'AccountOpened', { id: 'a', owner: 'Ada' }),
      event(2, 'AccountOpened', { id: 'b', owner: 'Bob' }),
      event(3, 'AccountOpened', { id: 'c', owner: 'Cy' }),
      event(4, 'MoneyDeposited', { id: 'a', amount: 1000 }),
    ];
    await build.apply({ from: 0, to: 5, events, statementsFor: summaryStatements() });
    const reader = track(await openPostgresReadStore(database.url, { mode: 'read' }))!;
    const sql =
      'SELECT count(*) AS n, sum(balance) AS total, (SELECT count(*) FROM rich_accounts) AS rich FROM account_summary';
    const queries = Array.from({ length: 20 }, (_, index) =>
      new Promise((resolve) => setTimeout(resolve, index * 5))
        .then(() => reader.query(sql))
        .then(
          (result) => JSON.stringify(result.rows),
          (error: unknown) => String(error),
        ),
    );
    await build.swapIn(5, T);
    const seen = new Set(await Promise.all(queries));
    for (const rows of seen) {
      expect([
        JSON.stringify([{ n: 2, total: 160, rich: 1 }]),
        JSON.stringify([{ n: 3, total: 1000, rich: 1 }]),
      ]).toContain(rows);
    }
    expect((await reader.query(sql)).rows).toEqual([{ n: 3, total: 1000, rich: 1 }]);
  });

  it('a swap waiting for a long query does not hold up the queries that arrive meanwhile', async () => {
    const read = await withAccounts();
    const build = await read.startRebuild({ ...SUMMARY, version: 2, definitionHash: 'def-2' }, T);
    await build.apply({
      from: 0,
      to: 5,
      events: [event(1, 'AccountOpened', { id: 'z', owner: 'Zoe' })],
      statementsFor: summaryStatements(),
    });
    const reader = track(await openPostgresReadStore(database.url, { mode: 'read' }))!;
    // The query login's sessions (a SCRAM login each, its role checked) are opened before the
    // clock starts: the long query must hold the table by the time the swap asks for it.
    const warm = () => reader.query('SELECT count(*) AS n FROM account_summary, pg_sleep(0.1)');
    for (const result of await Promise.all([warm(), warm()])) {
      expect(result.rows).toEqual([{ n: 2 }]);
    }
    const long = reader.query(
      'SELECT count(*) AS n FROM account_summary, (SELECT pg_sleep(1.5)) AS pause',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    let swapped = false;
    const swap = build.swapIn(5, T).then(() => (swapped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const quick = await reader.query('SELECT count(*) AS n FROM account_summary');
    expect(Date.now() - started).toBeLessThan(800);
    expect(quick.rows).toEqual([{ n: 2 }]);
    expect(swapped).toBe(false);
    expect((await long).rows).toEqual([{ n: 2 }]);
    await swap;
    expect((await reader.query('SELECT account_id FROM account_summary')).rows).toEqual([
      { account_id: 'z' },
    ]);
  });

  it('a stalled reader holds its transaction no longer than its limit: the swap then goes through', async () => {
    await withAccounts();
    const limit = { statementTimeoutMs: 1500 };
    const writer = track(await openPostgresReadStore(database.url, { mode: 'write', ...limit }))!;
    const reader = track(await openPostgresReadStore(database.url, { mode: 'read', ...limit }))!;
    // One row a page: after the first, the cursor's transaction stays open, and nobody reads.
    const { pages } = await reader.queryPages('SELECT account_id FROM account_summary', {}, 1);
    const iterator = pages[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual([{ account_id: 'a' }]);
    const build = await writer.startRebuild({ ...SUMMARY, version: 2 }, T);
    await build.apply({
      from: 0,
      to: 5,
      events: [event(1, 'AccountOpened', { id: 'r', owner: 'Rex' })],
      statementsFor: summaryStatements(),
    });
    const started = Date.now();
    await build.swapIn(5, T);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(iterator.next()).rejects.toThrow(
      'query failed: it ran past its limit of 1.5 s, counting the time its rows waited to be read',
    );
    expect((await reader.query('SELECT account_id FROM account_summary')).rows).toEqual([
      { account_id: 'r' },
    ]);
  });

  it('a swap that gives up names who holds the tables', async () => {
    await withAccounts();
    const writer = track(
      await openPostgresReadStore(database.url, { mode: 'write', statementTimeoutMs: 500 }),
    )!;
    const holder = new pg.Client({ connectionString: database.url, application_name: 'psql' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM eventlite_read.account_summary');
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const build = await writer.startRebuild({ ...SUMMARY, version: 2 }, T);
      const error = await build.swapIn(5, T).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StoreBusyError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^could not swap in the rebuilt projection "account_summary" within 5\\.5 s: a session of psql \\(pid ${pid}, user postgres\\) has held eventlite_read\\.account_summary since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ; try again$`,
        ),
      );
      await build.abandon();
    } finally {
      await holder.end();
    }
  });

  it("a lost connection is the machine's failure, not the handler's", async () => {
    const read = await withAccounts();
    const statementsFor = () => [{ sql: 'SELECT pg_terminate_backend(pg_backend_pid())' }];
    const error = await read
      .applyBatch(
        SUMMARY.name,
        { from: 5, to: 6, events: [event(6, 'X', {})], statementsFor },
        { version: 1, definitionHash: 'def-1', at: T },
      )
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'STORE' });
    expect((error as Error).message).toMatch(
      /^lost the connection to PostgreSQL at 127\.0\.0\.1:\d+$/,
    );
    // The pool replaces the dead client.
    expect((await read.projectionRow(SUMMARY.name))?.checkpoint).toBe(5);
  });
});

// The refusals change nothing (each case checks so), so they share one database: a fresh one
// each would cost a CREATE DATABASE per case. A refusal that did change something would show
// in its own case's checks, and in the cases after it.
describe.runIf(enabled)('PostgreSQL read store refusals', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let read: ReadStore;

  beforeAll(async () => {
    database = await freshPgDatabase();
    read = await addAccounts(await openWrite(database.url));
  });
  afterAll(async () => {
    await read?.close();
    await database?.drop();
  });

  it.each([
    'SET search_path TO public',
    'SET ROLE postgres',
    'RESET ROLE',
    'SHOW search_path; SET search_path TO public',
    'LISTEN channel',
    'NOTIFY channel',
    'DO $$ BEGIN PERFORM 1; END $$',
    'CALL some_procedure()',
    "COPY account_summary TO PROGRAM 'true'",
    'COPY (SELECT 1) TO STDOUT',
    'LOCK TABLE account_summary',
    'DISCARD ALL',
    'VACUUM account_summary',
    'PREPARE p AS SELECT 1',
    'SELECT * FROM account_summary FOR UPDATE',
    'SELECT 1 AS a INTO new_table',
    'EXPLAIN ANALYZE DELETE FROM account_summary',
    'SELECT pg_terminate_backend(pg_backend_pid())',
    'SELECT pg_catalog.pg_advisory_lock(1)',
    `SELECT "set_config"('role', 'postgres', false)`,
    `SELECT U&"set_config"('role', 'postgres', false)`,
    `SELECT query_to_xml('DELETE FROM account_summary RETURNING 1', true, true, '')`,
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT pg_notify('channel', 'x')",
  ])('query refuses what a read-only transaction would still allow: %s', async (sql) => {
    const error = await read.query(sql).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^query refused: /);
    expect((await read.query('SELECT count(*) AS n FROM account_summary')).rows).toEqual([
      { n: 2 },
    ]);
    expect((await read.query('SHOW search_path')).rows).toEqual([
      { search_path: 'eventlite_read' },
    ]);
  });
});
