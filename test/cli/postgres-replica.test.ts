import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withPg } from '../helpers/backend-cli.js';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import {
  startPostgresServer,
  startStandby,
  type PostgresServer,
} from '../helpers/postgres-server.js';

// Read replicas for the query side: a real primary and a real streaming hot standby of it
// (pg_basebackup -R), started for this file. `query` and `tables` read the standby with
// --query-db; `projections wait` returns only once the standby has replayed the checkpoints.
const enabled = backends().some((backend) => backend.name === 'postgres');

const DOMAIN = `export default {
  deciders: { note: { category: 'note', streamId: (c) => c.data.id,
    initialState: () => null, evolve: (s) => s, decide: { Note: (c) => [{ type: 'Noted', data: c.data }] } } },
  projections: [{ name: 'notes', version: 1, setup: ['CREATE TABLE notes (id TEXT PRIMARY KEY)'],
    on: { Noted: (e) => ({ sql: 'INSERT INTO notes (id) VALUES (:id)', params: { id: e.data.id } }) } }],
};`;

function inDatabase(url: string, name: string): string {
  const changed = new URL(url);
  changed.pathname = `/${name}`;
  return changed.toString();
}

function shown(url: string): string {
  const changed = new URL(url);
  changed.password = '';
  return changed.toString();
}

describe.runIf(enabled)('a read replica for the query side (--query-db)', () => {
  let primary: PostgresServer;
  let standby: PostgresServer;
  let folder: ReturnType<typeof tempDir>;
  let db: string;
  let replica: string;
  let database = 0;

  const cli = (args: string[], env: Record<string, string> = {}) =>
    runInProcess(['--db', db, '--domain', 'domain.mjs', ...args], { cwd: folder.dir, env });
  const onReplica = (args: string[]) => cli(['--query-db', replica, ...args]);
  const replay = (what: 'pause' | 'resume') =>
    withPg(standby.url, (client) => client.query(`SELECT pg_wal_replay_${what}()`));

  beforeAll(async () => {
    primary = await startPostgresServer();
    standby = await startStandby(primary);
    folder = tempDir();
    writeFileSync(join(folder.dir, 'domain.mjs'), DOMAIN);
  }, 180_000);
  afterAll(async () => {
    await standby?.stop();
    await primary?.stop();
    folder?.cleanup();
  });

  // Each test a database of its own on the primary, which the standby has replayed.
  beforeEach(async () => {
    const name = `replica_app_${(database += 1)}`;
    await withPg(primary.url, (client) => client.query(`CREATE DATABASE ${name}`));
    db = inDatabase(primary.url, name);
    replica = inDatabase(standby.url, name);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await withPg(standby.url, (client) =>
        client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]),
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error(`the standby never got database ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('projections wait returns once the replica has replayed the checkpoint: a query there sees the write', async () => {
    expect((await cli(['exec', 'Note', '{"id":"n0"}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    expect((await onReplica(['projections', 'wait', '--timeout', '30'])).code).toBe(0);

    await replay('pause');
    let resumed = false;
    try {
      expect((await cli(['exec', 'Note', '{"id":"n1"}'])).code).toBe(0);
      expect((await cli(['projections', 'run'])).code).toBe(0);
      let waited = false;
      const wait = onReplica(['projections', 'wait', '--timeout', '30']).finally(
        () => (waited = true),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // The primary has the checkpoint; the paused standby has not replayed it.
      expect(waited).toBe(false);
      const before = await onReplica(['query', 'SELECT id FROM notes ORDER BY id']);
      expect([before.code, before.stdout]).toEqual([0, '{"id":"n0"}\n']);
      await replay('resume');
      resumed = true;
      const result = await wait;
      expect([result.code, result.stderr]).toEqual([0, '']);
    } finally {
      if (!resumed) await replay('resume');
    }
    const after = await onReplica(['query', 'SELECT id FROM notes ORDER BY id']);
    expect([after.code, after.stdout]).toEqual([0, '{"id":"n0"}\n{"id":"n1"}\n']);
    const tables = await cli(['tables', '--format', 'ndjson'], { EVENTLITE_QUERY_DB: replica });
    expect(tables.stdout).toBe('{"name":"notes","type":"table","rows":2,"projection":"notes"}\n');
  });

  it('queries on the replica log in as the read-only query login, not as the superuser of the URL', async () => {
    expect((await cli(['exec', 'Note', '{"id":"n0"}'])).code).toBe(0);
    // The runner (a superuser on the primary) makes the query login; the standby replays it.
    expect((await cli(['projections', 'run'])).code).toBe(0);
    expect((await onReplica(['projections', 'wait', '--timeout', '30'])).code).toBe(0);
    expect(new URL(replica).username).toBe('postgres');

    const notes = await onReplica([
      'query',
      'SELECT id, session_user AS login, pg_is_in_recovery() AS standby FROM notes',
    ]);
    expect([notes.code, notes.stderr]).toEqual([0, '']);
    expect(notes.stdout).toMatch(
      /^\{"id":"n0","login":"eventlite_query_[0-9a-f]{12}","standby":true\}\n$/,
    );
    const events = await onReplica(['query', 'SELECT count(*) AS n FROM eventlite.events']);
    expect([events.code, events.stderr]).toEqual([
      2,
      'error: query failed: permission denied for schema eventlite\n',
    ]);
    const passwords = await onReplica(['query', 'SELECT * FROM eventlite_query_login']);
    expect([passwords.code, passwords.stderr]).toEqual([
      2,
      'error: query failed: permission denied for table eventlite_query_login\n',
    ]);
  });

  it('a replica that lags past the timeout: exit 6, and how far it is', async () => {
    expect((await cli(['exec', 'Note', '{"id":"n0"}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    expect((await onReplica(['projections', 'wait', '--timeout', '30'])).code).toBe(0);
    await replay('pause');
    try {
      expect((await cli(['exec', 'Note', '{"id":"n1"}'])).code).toBe(0);
      expect((await cli(['projections', 'run'])).code).toBe(0);
      const result = await onReplica(['projections', 'wait', '--timeout', '1']);
      expect(result.code).toBe(6);
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: projections reached position 2, but the query database ${escape(shown(replica))} ` +
            `did not replay them within 1 s \\(notes at 1 there; it has replayed the WAL to [0-9A-F]+/[0-9A-F]+, ` +
            `its primary is at [0-9A-F]+/[0-9A-F]+, and its replay is paused\\): it lags behind its primary; ` +
            `wait longer with --timeout SECONDS, or query the read database itself\\n$`,
        ),
      );
      expect(result.stderr).not.toContain(new URL(primary.url).password);
    } finally {
      await replay('resume');
    }
  });

  it('refuses a query database that is no standby of the read database, or is missing, in one line', async () => {
    expect((await cli(['exec', 'Note', '{"id":"n0"}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    const server = `127.0.0.1:${new URL(primary.url).port}`;

    const itself = await cli(['--query-db', db, 'tables']);
    expect([itself.code, itself.stderr]).toEqual([
      1,
      `error: query database ${shown(db)} is not a hot standby: it accepts writes (give a standby of ${server})\n`,
    ]);

    // Our standby, but the read models on the tests' other server: not its primary.
    const other = await freshPgDatabase();
    try {
      const stranger = await runInProcess(
        ['--db', other.url, '--query-db', replica, 'query', 'SELECT 1 AS one'],
        { cwd: folder.dir },
      );
      expect(stranger.code).toBe(1);
      expect(stranger.stderr).toMatch(
        new RegExp(
          `^error: query database ${escape(shown(replica))} is not a standby of ` +
            `${escape(new URL(other.url).host)}: its system identifier is \\d+, ` +
            "the read database's server's is \\d+\\n$",
        ),
      );
    } finally {
      await other.drop();
    }

    const port = await freePort();
    const nowhere = `postgres://postgres:secret@127.0.0.1:${port}/app`;
    const missing = await cli(['--query-db', nowhere, 'projections', 'wait', '--timeout', '5']);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      `error: query database ${shown(nowhere)}: cannot reach PostgreSQL at 127.0.0.1:${port}: connection refused\n`,
    ]);
    expect(missing.stderr).not.toContain('secret');
  });

  it('needs a postgres:// URL and read models on PostgreSQL: exit 2, nothing opened', async () => {
    const notUrl = await cli(['--query-db', 'replica.db', 'query', 'SELECT 1']);
    expect([notUrl.code, notUrl.stderr]).toEqual([
      2,
      "error: --query-db must be a postgres:// URL of a hot standby of the read database's server, got replica.db\n",
    ]);
    const sqlite = await runInProcess(['--db', 'local.db', '--query-db', replica, 'tables'], {
      cwd: folder.dir,
    });
    expect([sqlite.code, sqlite.stderr]).toEqual([
      2,
      'error: --query-db names a PostgreSQL standby, but the read models are in local.read.db: give --read-db postgres://… (its primary)\n',
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
