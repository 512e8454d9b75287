import type pg from 'pg';
import { InputError } from '../../../core/errors.js';
import { openReadConnection, withClient, type ReadConnection } from './connection.js';
import { withReadStoreErrors } from './errors.js';
import { recordedLogins } from './query-login.js';

// Where `eventlite query` runs on PostgreSQL: on a session whose login role may read the read
// models and nothing more. The text checks (query-guard.ts) and the read-only transaction
// come first, but a role is what the server enforces whatever the text says. SET ROLE would
// not do: a query can undo it (`set_config('role', session_user, true)`), so the session
// itself must log in as the weak role. In order:
//
// 1. `queryRole` given: log in as it, with the password eventlite recorded when it made that
//    login, or else as the server allows (PGPASSWORD, ~/.pgpass, trust or peer, as psql).
// 2. The read database's URL already logs in as a read-only role: queries run there.
// 3. The login a runner made (query-login.ts).
// 4. None: the query is refused, saying how to get one.
//
// Every session opened to run queries is checked once, on connecting: a role that holds more
// than read access is refused whichever way it was named.

/** The powers a role holds beyond reading, as phrases; none for a read-only login. */
async function rolePowers(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{
    superuser: boolean;
    createrole: boolean;
    createdb: boolean;
    replication: boolean;
    bypassrls: boolean;
    member_of: string[];
    owns: boolean;
    reads_store: boolean;
  }>(
    `SELECT r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
            r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
            ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                  WHERE m.member = r.oid ORDER BY 1) AS member_of,
            EXISTS (SELECT 1 FROM pg_database WHERE datname = current_database() AND datdba = r.oid)
              OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspowner = r.oid)
              OR EXISTS (SELECT 1 FROM pg_class WHERE relowner = r.oid) AS owns,
            COALESCE(has_schema_privilege(r.oid, to_regnamespace('eventlite'), 'USAGE'), false)
              AS reads_store
     FROM pg_roles r WHERE r.rolname = session_user`,
  );
  const role = rows[0];
  if (!role) return ['is not a role of this server'];
  return [
    role.superuser && 'is a superuser',
    role.createrole && 'may create roles',
    role.createdb && 'may create databases',
    role.replication && 'may replicate',
    role.bypassrls && 'bypasses row-level security',
    role.member_of.length > 0 && `is a member of ${role.member_of.join(', ')}`,
    role.owns && 'owns objects in the database',
    role.reads_store && 'may read the event store (schema eventlite)',
  ].filter((power): power is string => typeof power === 'string');
}

/** Refuses a session whose role holds more than read access. */
async function refuseStrongSession(client: pg.ClientBase, role: string): Promise<void> {
  const powers = await rolePowers(client);
  if (powers.length === 0) return;
  throw new InputError(
    `query refused: query role "${role}" may do more than read the read models (it ${powers.join(', ')}); queries log in as a role that may only read them`,
  );
}

/**
 * The connection queries run on (see above). `url` is the one `main` was opened with; the
 * login's connection is opened on the same server and database, as its own role.
 */
export async function openQueryConnection(
  url: string,
  main: ReadConnection,
  queryRole: string | undefined,
): Promise<ReadConnection> {
  const { target, quotedSchema } = main;
  const looked = await withClient(main, (client) =>
    withReadStoreErrors(target, async () => ({
      powers: queryRole === undefined ? await rolePowers(client) : [],
      login: (await recordedLogins(client, quotedSchema, queryRole))[0],
      canLogIn: queryRole === undefined || (await roleCanLogIn(client, queryRole)),
    })),
  );
  if (queryRole === undefined && looked.powers.length === 0) return main;
  if (queryRole === undefined && looked.login === undefined) {
    throw new InputError(
      `query refused: PostgreSQL user "${target.user}" may do more than read the read models (it ${looked.powers[0]}), and there is no login for queries that may only read them: ` +
        '"eventlite projections run" makes one when its role may create roles, or see docs/scaling.md',
    );
  }
  if (!looked.canLogIn) {
    // The old way of naming a role that only reads: NOLOGIN, reached by SET ROLE.
    throw new InputError(
      `query refused: query role "${queryRole}" cannot log in; queries log in as their role, since a query could undo SET ROLE: leave --query-role out to use the login eventlite makes, or name a role that may log in`,
    );
  }
  const role = queryRole ?? looked.login!.role;
  return openReadConnection(urlAs(url, role, looked.login?.password), main.schema, {
    applicationName: 'eventlite query',
    checkSession: (client) => refuseStrongSession(client, role),
  });
}

async function roleCanLogIn(client: pg.ClientBase, role: string): Promise<boolean> {
  const { rows } = await client.query<{ can: boolean }>(
    'SELECT rolcanlogin AS can FROM pg_roles WHERE rolname = $1',
    [role],
  );
  if (rows.length === 0)
    throw new InputError(`query refused: there is no role "${role}" (--query-role)`);
  return rows[0]!.can;
}

/** `url` logging in as `role`: with `password`, or with none for the server's own ways. */
function urlAs(url: string, role: string, password: string | undefined): string {
  const as = new URL(url);
  as.username = encodeURIComponent(role);
  as.password = password === undefined ? '' : encodeURIComponent(password);
  return as.toString();
}
