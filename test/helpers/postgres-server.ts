// The tests' throw-away PostgreSQL cluster. The code lives in scripts/postgres-cluster.mjs, which
// the bench shares; started with no options it is the tests' cluster: no durability (fsync
// off), max_connections 200, a password on the `postgres` role, run as the `postgres` system
// user when we are root. startStandby adds a streaming hot standby to one of them.
export {
  startPostgresServer,
  startStandby,
  type PostgresServer,
  type PostgresServerOptions,
} from '../../scripts/postgres-cluster.mjs';
