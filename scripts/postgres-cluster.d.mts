// Types of postgres-cluster.mjs, the throw-away PostgreSQL cluster of the tests and the bench.

export interface PostgresServerOptions {
  /** fsync, synchronous_commit and full_page_writes on (PostgreSQL's defaults); off otherwise. */
  durable?: boolean;
  /** More postgresql.conf lines, e.g. `shared_buffers = '256MB'`; they win over the above. */
  settings?: readonly string[];
}

export interface PostgresServer {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres */
  url: string;
  /** The cluster's folder (data/ and server.log), removed by stop(). */
  folder: string;
  /** The postgresql.conf lines the cluster was started with, besides where it listens. */
  settings: readonly string[];
  /** Stops the server and removes its folder; calling it again waits for the first call. */
  stop(): Promise<void>;
}

export function startPostgresServer(options?: PostgresServerOptions): Promise<PostgresServer>;

/**
 * A streaming hot standby of `primary` (started by startPostgresServer): a base backup taken
 * with pg_basebackup -R, started on a port of its own. Its url has the primary's credentials.
 */
export function startStandby(primary: Pick<PostgresServer, 'url'>): Promise<PostgresServer>;
