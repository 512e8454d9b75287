// The bench's PostgreSQL: a throw-away cluster (scripts/postgres-cluster.mjs, the tests' code)
// started durable, so that a commit waits for its WAL to reach the disk as SQLite's
// synchronous=FULL does, and stopped and removed at the end of the run, on failure and on
// Ctrl-C too. Each job gets a database of its own on it.
import pg from 'pg';
import { startPostgresServer } from '../scripts/postgres-cluster.mjs';

/**
 * Starts the cluster, runs `work(cluster)`, and always stops and removes the cluster: when
 * `work` ends or throws, and on SIGINT, SIGTERM or SIGHUP (then the process exits 128 + signal).
 */
export async function withBenchCluster(log, work) {
  let cluster;
  let signalled;
  const signals = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  const onSignal = (signal) => {
    if (signalled) return;
    signalled = signal;
    log(`${signal}: stopping the PostgreSQL cluster`);
    // A child process that the signal did not reach may keep the run going a little longer;
    // the cluster goes now, and with it every connection.
    Promise.resolve(cluster?.stop())
      .catch((error) => log(`could not stop the cluster: ${error.message}`))
      .finally(() => process.exit(128 + signals[signal]));
  };
  for (const signal of Object.keys(signals)) process.on(signal, onSignal);
  try {
    cluster = await startPostgresServer({ durable: true });
    if (signalled) return undefined; // onSignal saw no cluster yet: stop it below.
    log(`PostgreSQL cluster in ${cluster.folder}: ${cluster.settings.join(', ')}`);
    return await work(new BenchCluster(cluster));
  } finally {
    for (const signal of Object.keys(signals)) process.off(signal, onSignal);
    await cluster?.stop();
    if (cluster) log('PostgreSQL cluster stopped and removed');
  }
}

class BenchCluster {
  constructor(server) {
    this.server = server;
    this.settings = server.settings;
  }

  /** The URL of database `name` (which may not exist yet). */
  url(name) {
    const url = new URL(this.server.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /**
   * Drops database `name` if it exists and creates it empty; `settings` are per-database
   * defaults (ALTER DATABASE … SET), which every later connection to it takes.
   */
  async freshDatabase(name, settings = {}) {
    await this.admin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      for (const [setting, value] of Object.entries(settings)) {
        await client.query(
          `ALTER DATABASE ${pg.escapeIdentifier(name)} SET ${setting} = ${pg.escapeLiteral(value)}`,
        );
      }
    });
    return this.url(name);
  }

  async dropDatabase(name) {
    await this.admin((client) =>
      client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  }

  /** Runs `work` with a client connected to database `name` (default: the admin database). */
  async admin(work, name = 'postgres') {
    const client = new pg.Client({ connectionString: this.url(name) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
