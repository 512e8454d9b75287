import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  pgSchemaContents,
  pgSchemas,
  readFingerprint,
  runOn,
  shown,
  storeFingerprint,
  withPg,
} from '../helpers/backend-cli.js';
import { tempDir } from '../helpers/cli.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { writeTickDomain } from './projections-ux-domain.js';

// `reset` on PostgreSQL touches eventlite's own objects only: its schemas and the query login
// it made. A user's view over a read table or foreign key to eventlite.events is not
// eventlite's: the reset is refused, naming it, and nothing changes. Other tables of the
// database stay, and the empty store is made again whatever else the database holds.

const enabled = inject('pgServerUrl') !== null;

describe.runIf(enabled)('reset on PostgreSQL', () => {
  let dir: string;
  let done: () => void;
  let database: { url: string; drop(): Promise<void> };
  const cli = (args: readonly string[]) =>
    runOn({ env: { EVENTLITE_DB: database.url } }, ['--domain', 'domain.mjs', ...args], {
      cwd: dir,
    });
  const admin = (sql: string) => withPg(database.url, (client) => client.query(sql));
  const queryLogin = async () =>
    (await admin('SELECT role FROM eventlite_read.eventlite_query_login')).rows[0].role as string;
  const roleExists = async (role: string) =>
    (await admin(`SELECT 1 FROM pg_roles WHERE rolname = '${role}'`)).rowCount === 1;
  const fingerprints = async () => [
    await storeFingerprint(database.url, dir),
    await readFingerprint(database.url, dir),
  ];

  beforeEach(async () => {
    ({ dir, cleanup: done } = tempDir());
    database = await freshPgDatabase();
    writeTickDomain(dir, { gammaFixed: true });
    for (const n of [1, 2, 3]) {
      expect((await cli(['append', 'ticks-all', 'Tick', JSON.stringify({ n })])).code).toBe(0);
    }
    expect((await cli(['projections', 'run'])).code).toBe(0);
  });
  afterEach(async () => {
    await database.drop();
    done();
  });

  it("refuses, naming them, when a user's objects depend on eventlite's, and changes nothing", async () => {
    await admin(`
      CREATE TABLE public.audit (note TEXT, position BIGINT REFERENCES eventlite.events (position));
      INSERT INTO public.audit VALUES ('first', 1);
      CREATE VIEW public.beta_report AS SELECT n FROM eventlite_read.beta_rows;`);
    const login = await queryLogin();
    const before = await fingerprints();
    const refused = await cli(['reset', '--yes']);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([
      1,
      '',
      "error: reset refused: constraint audit_position_fkey on table audit depends on table eventlite.events; view beta_report depends on table eventlite_read.beta_rows; reset would drop what is not eventlite's: drop or change that first (nothing was deleted)\n",
    ]);
    expect(await fingerprints()).toEqual(before);
    expect(await pgSchemaContents(database.url, 'public')).toContain('first');
    expect(await roleExists(login)).toBe(true);
    expect(
      (await cli(['query', 'SELECT count(*) AS n FROM beta_rows', '--format', 'csv'])).stdout,
    ).toBe('n\n3\n');
  });

  it('keeps the tables that are not its own, drops its login, and leaves an empty store', async () => {
    await admin("CREATE TABLE public.notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    const login = await queryLogin();
    const reset = await cli(['reset', '--yes']);
    expect([reset.code, reset.stderr]).toEqual([
      0,
      `deleted 3 events in 1 streams and the read models; empty store ready at ${shown(database.url)}\n`,
    ]);
    expect(await pgSchemas(database.url)).toEqual(['eventlite']);
    expect(await pgSchemaContents(database.url, 'public')).toContain('keep me');
    expect(await roleExists(login)).toBe(false);
    // Starting over works, with a login of its own.
    // (Without --domain, which init takes as the name of a new domain to scaffold.)
    const init = await runOn({ env: { EVENTLITE_DB: database.url } }, ['init'], { cwd: dir });
    expect([init.code, init.stderr]).toEqual([0, `event store ready at ${shown(database.url)}\n`]);
    expect((await cli(['append', 'ticks-all', 'Tick', '{"n":7}'])).code).toBe(0);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    expect(await queryLogin()).not.toBe(login);
    const rows = await cli(['query', 'SELECT n FROM beta_rows', '--format', 'csv']);
    expect([rows.code, rows.stdout]).toEqual([0, 'n\n7\n']);
  });

  it('over two databases, a refusal in the second leaves the first as it was', async () => {
    // The store in one database, the read models in another (EVENTLITE_READ_DB).
    const reads = await freshPgDatabase();
    try {
      const env = { env: { EVENTLITE_DB: database.url, EVENTLITE_READ_DB: reads.url } };
      const split = (args: readonly string[]) =>
        runOn(env, ['--domain', 'domain.mjs', ...args], { cwd: dir });
      expect((await split(['projections', 'run'])).code).toBe(0);
      await withPg(reads.url, (client) =>
        client.query('CREATE VIEW public.beta_report AS SELECT n FROM eventlite_read.beta_rows'),
      );
      const before = [
        await storeFingerprint(database.url, dir),
        await readFingerprint(reads.url, dir),
      ];
      const refused = await split(['reset', '--yes']);
      expect([refused.code, refused.stdout, refused.stderr]).toEqual([
        1,
        '',
        "error: reset refused: view beta_report depends on table eventlite_read.beta_rows; reset would drop what is not eventlite's: drop or change that first (nothing was deleted)\n",
      ]);
      expect([
        await storeFingerprint(database.url, dir),
        await readFingerprint(reads.url, dir),
      ]).toEqual(before);
      const log = await split(['log', '--format', 'ndjson']);
      expect([log.code, log.stdout.split('\n').length]).toEqual([0, 4]);
    } finally {
      await reads.drop();
    }
  });

  it('refuses when the query login holds a grant outside eventlite, naming it', async () => {
    const login = await queryLogin();
    await admin(`CREATE TABLE public.lookup (a INT); GRANT SELECT ON public.lookup TO ${login}`);
    const before = await fingerprints();
    const refused = await cli(['reset', '--yes']);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      `error: reset refused: cannot drop the query login "${login}": role "${login}" cannot be dropped because some objects depend on it (privileges for table lookup) (nothing was deleted)\n`,
    ]);
    expect(await fingerprints()).toEqual(before);
    expect(await roleExists(login)).toBe(true);
  });
});
