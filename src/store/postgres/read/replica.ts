import pg from 'pg';
import { EventliteError, StoreError, withMessage } from '../../../core/errors.js';
import type { ReadStore } from '../../../core/ports.js';
import { CONNECT_TIMEOUT_MS, describePostgresUrl, type PgTarget } from '../connection.js';
import { translatePgError } from '../errors.js';
import { openPostgresReadStore, type PostgresReadStoreOptions } from './store.js';

// The query side's read replica: a hot standby of the read database's server, which `query`
// and `tables` read and `projections wait` waits for. A physical standby copies its primary's
// system identifier (pg_basebackup copies the control file) and no other cluster has it, so
// the two identifiers tell a standby of this server from one of another, or from a copy
// promoted and gone its own way (that one is no longer in recovery).

/**
 * The read models as the standby at `queryUrl` has replayed them; undefined while it holds no
 * read schema yet. Refused (StoreError) unless it is in recovery and a standby of `readUrl`'s
 * server.
 */
export async function openPostgresQueryStore(
  readUrl: string,
  queryUrl: string,
  options: Omit<PostgresReadStoreOptions, 'mode' | 'replicaLag'>,
): Promise<ReadStore | undefined> {
  await checkStandbyOf(readUrl, queryUrl);
  return openPostgresReadStore(queryUrl, {
    ...options,
    mode: 'read',
    replicaLag: () => describeReplay(readUrl, queryUrl),
  });
}

interface ServerIdentity {
  systemIdentifier: string;
  inRecovery: boolean;
}

async function checkStandbyOf(readUrl: string, queryUrl: string): Promise<void> {
  const primaryTarget = describePostgresUrl(readUrl);
  const standbyTarget = describePostgresUrl(queryUrl);
  const [primary, standby] = await Promise.all([
    identify(readUrl, primaryTarget, 'read database'),
    identify(queryUrl, standbyTarget, 'query database'),
  ]);
  const where = `query database ${standbyTarget.location}`;
  if (!standby.inRecovery) {
    throw new StoreError(
      `${where} is not a hot standby: it accepts writes (give a standby of ${primaryTarget.server})`,
    );
  }
  if (standby.systemIdentifier !== primary.systemIdentifier) {
    throw new StoreError(
      `${where} is not a standby of ${primaryTarget.server}: its system identifier is ` +
        `${standby.systemIdentifier}, the read database's server's is ${primary.systemIdentifier}`,
    );
  }
}

async function identify(url: string, target: PgTarget, role: string): Promise<ServerIdentity> {
  return withServer(url, target, role, async (client) => {
    const { rows } = await client.query<{ id: string; recovery: boolean }>(
      `SELECT system_identifier::text AS id, pg_is_in_recovery() AS recovery
       FROM pg_control_system()`,
    );
    return { systemIdentifier: rows[0]!.id, inRecovery: rows[0]!.recovery };
  });
}

/**
 * For messages about a standby that lags: how far it has replayed the WAL, where its primary
 * is, and whether replay is paused.
 */
async function describeReplay(readUrl: string, queryUrl: string): Promise<string> {
  const [primary, standby] = await Promise.all([
    withServer(readUrl, describePostgresUrl(readUrl), 'read database', (client) =>
      client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'),
    ),
    withServer(queryUrl, describePostgresUrl(queryUrl), 'query database', (client) =>
      client.query<{ lsn: string | null; paused: boolean }>(
        `SELECT pg_last_wal_replay_lsn()::text AS lsn, pg_is_wal_replay_paused() AS paused`,
      ),
    ),
  ]);
  const { lsn, paused } = standby.rows[0]!;
  return (
    `it has replayed the WAL to ${lsn ?? 'nothing yet'}, its primary is at ` +
    `${primary.rows[0]!.lsn}${paused ? ', and its replay is paused' : ''}`
  );
}

/** One short connection of its own; failures name which database they are about. */
async function withServer<T>(
  url: string,
  target: PgTarget,
  role: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'eventlite',
  });
  // A server that drops the connection must fail the query, not the process.
  client.on('error', () => {});
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    const translated = translatePgError(error, target);
    if (translated instanceof EventliteError) {
      throw withMessage(translated, `${role} ${target.location}: ${translated.message}`);
    }
    throw translated;
  } finally {
    await client.end().catch(() => {});
  }
}
