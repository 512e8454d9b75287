import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFingerprint, runOn, storeFingerprint, withPg } from '../helpers/backend-cli.js';
import { tempDir } from '../helpers/cli.js';
import { freshPgDatabase, pgServerUrl } from '../helpers/postgres.js';

// `eventlite query` on PostgreSQL, tried as an attacker would, logged in as a superuser and as
// a plain role (one that may create roles, so that its runner makes the query login). Text
// that the server reads otherwise than a careless scanner would (a comment ended by \r, an
// E'' string continued on the next line, a nested comment, dollar quotes) tries to call what
// must not run: a server file read, a directory listing, the end of another session, SET
// ROLE's undoing. Reads that no text check can see (the event store, password hashes, the
// query login's own record) are the role's to refuse. Each try: exit 2, one `error:` line,
// nothing printed, and afterwards the other session alive and both schemas as they were.

const enabled = inject('pgServerUrl') !== null;

const DOMAIN = `export default {
  deciders: { note: { category: 'note', streamId: (c) => c.data.id,
    initialState: () => null, evolve: (s) => s, decide: { Note: (c) => [{ type: 'Noted', data: c.data }] } } },
  projections: [{ name: 'notes', version: 1, setup: ['CREATE TABLE notes (id TEXT PRIMARY KEY)'],
    on: { Noted: (e) => ({ sql: 'INSERT INTO notes (id) VALUES (:id)', params: { id: e.data.id } }) } }],
};`;

/** The same URL logging in as `role` with `password`. */
function urlAs(url: string, role: string, password: string): string {
  const as = new URL(url);
  as.username = role;
  as.password = password;
  return as.toString();
}

/** Escapes that a scanner reading the text otherwise than the server would let through. */
const hiddenCalls = (victim: number) => [
  `SELECT 1 AS a --\r, pg_read_file('/etc/hostname') AS f\n, 2 AS b`,
  `SELECT 1 AS a --\r\n, pg_ls_dir('.') AS f`,
  `SELECT 1 AS a --\r, pg_terminate_backend(${victim}) AS t\n, 2 AS b`,
  `SELECT 1 AS a --\r, set_config('role', session_user, true) AS r\n, (SELECT count(*) FROM eventlite.events) AS n`,
  `SELECT 1 AS a /* x /* y */ z */, pg_terminate_backend(${victim}) AS t`,
  `SELECT $q$ $a$ ' $q$ AS a, pg_read_file('/etc/hostname') AS f`,
  `SELECT E'a'\n'\\' , ' AS a, pg_read_file('/etc/hostname') AS f --'`,
  `SELECT E'a'\r\n'\\' , ' AS a, pg_terminate_backend(${victim}) AS t --'`,
];

/** Reads that only the role can refuse. */
const hiddenReads = [
  ['SELECT count(*) AS n FROM eventlite.events', 'permission denied for schema eventlite'],
  ['SELECT rolname, rolpassword FROM pg_authid', 'permission denied for table pg_authid'],
  ['SELECT * FROM eventlite_query_login', 'permission denied for table eventlite_query_login'],
  ['SELECT * FROM pg_file_settings', 'permission denied for view pg_file_settings'],
];

describe.runIf(enabled).each([
  { login: 'a superuser', plain: false },
  { login: 'a plain role', plain: true },
])('query on PostgreSQL logged in as $login cannot escape', ({ plain }) => {
  let folder: ReturnType<typeof tempDir>;
  let database: { url: string; drop(): Promise<void> };
  let url: string;
  let victim: pg.Client;
  let victimPid: number;
  let before: string[];
  const role = `plain_${Math.random().toString(36).slice(2, 10)}`;
  const cli = (args: string[]) => runOn({ env: { EVENTLITE_DB: url } }, args, { cwd: folder.dir });
  const fingerprints = async () => [
    await storeFingerprint(url, folder.dir),
    await readFingerprint(url, folder.dir),
  ];

  beforeAll(async () => {
    folder = tempDir();
    database = await freshPgDatabase();
    url = database.url;
    if (plain) {
      const name = new URL(database.url).pathname.slice(1);
      await withPg(database.url, (admin) =>
        admin.query(
          `CREATE ROLE ${role} LOGIN CREATEROLE PASSWORD 'pw'; ALTER DATABASE ${name} OWNER TO ${role}`,
        ),
      );
      url = urlAs(database.url, role, 'pw');
    }
    writeFileSync(join(folder.dir, 'domain.mjs'), DOMAIN);
    const domain = ['--domain', 'domain.mjs'];
    expect((await cli([...domain, 'exec', 'Note', '{"id":"n1"}'])).code).toBe(0);
    expect((await cli([...domain, 'projections', 'run'])).code).toBe(0);
    // Another session of the same role: the one a query would end if it could.
    victim = new pg.Client({ connectionString: url, application_name: 'victim' });
    await victim.connect();
    victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      .pid;
    before = await fingerprints();
  });
  afterAll(async () => {
    await victim?.end();
    await database?.drop();
    if (plain) await withPg(pgServerUrl(), (admin) => admin.query(`DROP ROLE IF EXISTS ${role}`));
    folder?.cleanup();
  });

  it('the query side works: the read models, as a login that may only read them', async () => {
    const rows = await cli(['query', 'SELECT id FROM notes', '--format', 'ndjson']);
    expect([rows.code, rows.stdout, rows.stderr]).toEqual([0, '{"id":"n1"}\n', '']);
  });

  it('calls hidden by the way the text is written are refused, and change nothing', async () => {
    for (const sql of hiddenCalls(victimPid)) {
      const result = await cli(['query', sql, '--format', 'csv']);
      expect([sql, result.code, result.stdout]).toEqual([sql, 2, '']);
      expect(result.stderr).toMatch(
        /^error: query refused: \w+\(\) acts outside a read-only query\n$/,
      );
    }
    expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    expect(await fingerprints()).toEqual(before);
  });

  it('reads that no text check sees are refused by the role, and change nothing', async () => {
    for (const [sql, reason] of hiddenReads) {
      const result = await cli(['query', sql!, '--format', 'csv']);
      expect([sql, result.code, result.stdout, result.stderr]).toEqual([
        sql,
        2,
        '',
        `error: query failed: ${reason}\n`,
      ]);
    }
    const sessions = await cli([
      'query',
      "SELECT query FROM pg_stat_activity WHERE application_name = 'victim'",
      '--format',
      'ndjson',
    ]);
    expect([sessions.code, sessions.stdout]).toEqual([0, '{"query":"<insufficient privilege>"}\n']);
    expect(await fingerprints()).toEqual(before);
  });

  it('strings are read one way, whatever the database sets standard_conforming_strings to', async () => {
    const name = new URL(database.url).pathname.slice(1);
    await withPg(database.url, (admin) =>
      admin.query(`ALTER DATABASE ${name} SET standard_conforming_strings = off`),
    );
    try {
      // With backslash escapes in plain strings, the server would see the call as code.
      const sql = `SELECT 'a\\' , ' AS a, pg_read_file('/etc/hostname') AS f --'`;
      const result = await cli(['query', sql, '--format', 'csv']);
      expect([result.code, result.stdout]).toEqual([2, '']);
      expect(result.stderr).toMatch(/^error: query failed: [^\n]+\n$/);
    } finally {
      await withPg(database.url, (admin) =>
        admin.query(`ALTER DATABASE ${name} RESET standard_conforming_strings`),
      );
    }
    expect(await fingerprints()).toEqual(before);
  });
});
