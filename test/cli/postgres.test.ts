import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { freshPgDatabase } from '../helpers/postgres.js';

// What only a server has: URLs with passwords, roles, and moving a store between backends.
const enabled = backends().some((backend) => backend.name === 'postgres');

describe.runIf(enabled)('the CLI on PostgreSQL', () => {
  let folder: ReturnType<typeof tempDir>;
  let database: { url: string; drop(): Promise<void> };
  const cli = (args: string[], input?: string) => runInProcess(args, { cwd: folder.dir, input });
  const password = () => decodeURIComponent(new URL(database.url).password);

  beforeEach(async () => {
    folder = tempDir();
    database = await freshPgDatabase();
  });
  afterEach(async () => {
    await database.drop();
    folder.cleanup();
  });

  it('moves a store with export | import, byte for byte, and back', async () => {
    const sqlite = (args: string[], input?: string) => cli(['--db', 'a.db', ...args], input);
    expect(
      (await sqlite(['append', 'a-1', 'Opened', '{"owner":"Ada","n":[1,2.5,{"x":null}]}'])).code,
    ).toBe(0);
    expect((await sqlite(['append', 'b-1', 'Opened', '{"é":"ü","big":12345678901234}'])).code).toBe(
      0,
    );
    expect((await sqlite(['append', 'a-1', 'Noted', '{}', '--metadata', '{"by":"me"}'])).code).toBe(
      0,
    );
    const exported = await sqlite(['export']);
    const imported = await cli(['--db', database.url, 'import', '-'], exported.stdout);
    expect([imported.code, imported.stderr]).toEqual([0, 'imported 3 events; head is at 3\n']);
    const again = await cli(['--db', database.url, 'export']);
    expect(again.stdout).toBe(exported.stdout);
    const back = await cli(['--db', 'b.db', 'import', '-'], again.stdout);
    expect(back.code).toBe(0);
    expect((await cli(['--db', 'b.db', 'export'])).stdout).toBe(exported.stdout);
  });

  it('never shows the password, and names each connection failure with its exit code', async () => {
    expect(password()).not.toBe('');
    const init = await cli(['--db', database.url, 'init']);
    const status = await cli(['--db', database.url, 'status', '--json']);
    const wrong = new URL(database.url);
    wrong.password = 'not-the-password';
    const refused = await cli(['--db', wrong.toString(), 'streams']);
    const unreachable = new URL(database.url);
    unreachable.port = '1';
    const away = await cli(['--db', unreachable.toString(), 'streams']);
    const missing = new URL(database.url);
    missing.pathname = '/no_such_database_here';
    const nowhere = await cli(['--db', missing.toString(), 'streams']);
    expect(init.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ store: expect.stringMatching(/^postgres:/) });
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringMatching(/^error: PostgreSQL at .* refused the password for user "\w+"\n$/),
    ]);
    expect([away.code, away.stderr]).toEqual([
      1,
      expect.stringMatching(
        /^error: cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused\n$/,
      ),
    ]);
    expect([nowhere.code, nowhere.stderr]).toEqual([
      5,
      expect.stringMatching(/^error: no database "no_such_database_here" at /),
    ]);
    for (const result of [init, status, refused, away, nowhere]) {
      expect(result.stdout + result.stderr).not.toContain(password());
      expect(result.stdout + result.stderr).not.toContain('not-the-password');
    }
  });

  it('runs queries as a login that may read the read models and nothing else', async () => {
    const db = ['--db', database.url];
    writeFileSync(
      join(folder.dir, 'domain.mjs'),
      `export default {
        deciders: { note: { category: 'note', streamId: (c) => c.data.id,
          initialState: () => null, evolve: (s) => s, decide: { Note: (c) => [{ type: 'Noted', data: c.data }] } } },
        projections: [{ name: 'notes', version: 1, setup: ['CREATE TABLE notes (id TEXT PRIMARY KEY)'],
          on: { Noted: (e) => ({ sql: 'INSERT INTO notes (id) VALUES (:id)', params: { id: e.data.id } }) } }],
      };`,
    );
    const withDomain = [...db, '--domain', 'domain.mjs'];
    expect((await cli([...withDomain, 'exec', 'Note', '{"id":"n1"}'])).code).toBe(0);
    const query = (...args: string[]) => cli([...db, ...args, '--format', 'csv']);
    expect((await cli([...withDomain, 'projections', 'run'])).code).toBe(0);
    const notes = await query('query', 'SELECT id, session_user AS login FROM notes');
    expect([notes.code, notes.stdout]).toEqual([
      0,
      expect.stringMatching(/^id,login\nn1,eventlite_query_[0-9a-f]{12}\n$/),
    ]);
    const events = await query('query', 'SELECT count(*) AS n FROM eventlite.events');
    expect([events.code, events.stderr]).toEqual([
      2,
      'error: query failed: permission denied for schema eventlite\n',
    ]);
    // The login is the one --query-role names (EVENTLITE_QUERY_ROLE) by default.
    const login = notes.stdout.trim().split(',').pop()!;
    const named = await query('--query-role', login, 'query', 'SELECT session_user AS login');
    expect([named.code, named.stdout]).toEqual([0, `login\n${login}\n`]);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // Roles belong to the whole server: a name of its own, dropped again at the end.
    const role = `reader_${Math.random().toString(36).slice(2, 8)}`;
    try {
      // The old way: a role that may not log in, reached by SET ROLE, which a query can undo.
      await admin.query(`CREATE ROLE ${role} NOLOGIN`);
      const old = await query('--query-role', role, 'query', 'SELECT 1 AS one');
      expect([old.code, old.stdout, old.stderr]).toEqual([
        2,
        '',
        `error: query refused: query role "${role}" cannot log in; queries log in as their role, since a query could undo SET ROLE: leave --query-role out to use the login eventlite makes, or name a role that may log in\n`,
      ]);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});
