import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  inTransaction,
  lockReadSchema,
  quote,
  withClient,
  type ReadConnection,
} from './connection.js';
import { withReadStoreErrors } from './errors.js';

// The login that `eventlite query` runs as on PostgreSQL (query-session.ts): a role that may
// log in and read the read schema, and nothing else. A runner whose role may create roles
// (a superuser, or CREATEROLE) makes it the first time it opens the read schema, under a name
// of its own (`eventlite_query_…`: roles belong to the whole server), and records its
// password in a table of the read schema that only the runner's role can read. Every setup
// and swap then grants it SELECT on what it brought in. `reset` drops it with the schema.

const TABLE = 'eventlite_query_login';

export interface QueryLogin {
  role: string;
  password: string;
}

/**
 * Makes the read schema's query login when there is none and the connecting role may create
 * roles; otherwise leaves things as they are (queries then refuse, saying what to do).
 */
export async function ensureQueryLogin(connection: ReadConnection): Promise<void> {
  const { target, schema, quotedSchema: s } = connection;
  await withClient(connection, async (client) => {
    const state = await withReadStoreErrors(target, () => loginState(client, s));
    if (state.recorded || !state.mayCreateRoles) return;
    await inTransaction(client, target, () =>
      withReadStoreErrors(target, async () => {
        await lockReadSchema(client, schema);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${s}.${TABLE} (role TEXT PRIMARY KEY, password TEXT NOT NULL);
           REVOKE ALL ON ${s}.${TABLE} FROM PUBLIC`,
        );
        // Re-checked under the lock: another runner may have made it meanwhile.
        if ((await recordedLogins(client, s)).length > 0) return;
        const login = {
          role: `eventlite_query_${randomBytes(6).toString('hex')}`,
          password: randomBytes(24).toString('base64url'),
        };
        await client.query(
          `CREATE ROLE ${quote(login.role)} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE
           NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(scramVerifier(login.password))}`,
        );
        await client.query(`INSERT INTO ${s}.${TABLE} (role, password) VALUES ($1, $2)`, [
          login.role,
          login.password,
        ]);
        await grantQueryAccess(client, s);
      }),
    );
  });
}

async function loginState(
  client: pg.ClientBase,
  s: string,
): Promise<{ recorded: boolean; mayCreateRoles: boolean }> {
  const { rows } = await client.query<{ may: boolean }>(
    'SELECT rolsuper OR rolcreaterole AS may FROM pg_roles WHERE rolname = current_user',
  );
  return {
    recorded: (await recordedLogins(client, s)).length > 0,
    mayCreateRoles: rows[0]?.may === true,
  };
}

/**
 * The logins recorded in the read schema, `role` alone if given; none when there is no record
 * or this role may not read it (the record belongs to the role that made the login).
 */
export async function recordedLogins(
  client: pg.ClientBase,
  s: string,
  role?: string,
): Promise<QueryLogin[]> {
  const table = `${s}.${TABLE}`;
  const { rows } = await client.query<{ readable: boolean }>(
    `SELECT CASE WHEN to_regclass($1) IS NULL THEN false
            ELSE has_table_privilege($1, 'SELECT') END AS readable`,
    [table],
  );
  if (!rows[0]?.readable) return [];
  const found = await client.query<QueryLogin>(
    `SELECT role, password FROM ${table} WHERE $1::text IS NULL OR role = $1 ORDER BY role`,
    [role ?? null],
  );
  return found.rows;
}

/**
 * Grants the recorded logins what they may read: the read schema and its tables, views and
 * materialized views (a rebuild's arrive from a scratch schema, so each setup and swap calls
 * this in its transaction); never the record of their own passwords.
 */
export async function grantQueryAccess(client: pg.ClientBase, s: string): Promise<void> {
  for (const { role } of await recordedLogins(client, s)) {
    const login = quote(role);
    await client.query(
      `GRANT USAGE ON SCHEMA ${s} TO ${login};
       GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${login};
       REVOKE ALL ON ${s}.${TABLE} FROM ${login}`,
    );
  }
}

/**
 * The password as the server stores it (SCRAM-SHA-256, RFC 5802/7677): CREATE ROLE then never
 * carries it in clear text, which a server logging DDL would write to its log.
 */
function scramVerifier(password: string): string {
  const iterations = 4096;
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}
