// A throw-away PostgreSQL cluster: a fresh folder, a free loopback port, a password on the
// `postgres` role (so that a wrong password can be tried). The tests (test/setup/postgres.ts,
// through test/helpers/postgres-server.ts) start it without durability; the bench
// (bench/postgres.mjs) starts it durable, so that its append figures pay for fsync.
// PostgreSQL refuses to run as root, and tests run as root here and in CI, so when we are root
// every server program runs as the `postgres` system user in a folder it owns.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SYSTEM_USER = 'postgres';

/** No durability: what the tests want, a crash loses the cluster anyway. */
const FAST = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];
/** PostgreSQL's own defaults, spelled out: a commit returns once its WAL is flushed to disk. */
const DURABLE = ['fsync = on', 'synchronous_commit = on', 'full_page_writes = on'];

/**
 * Starts a cluster; `durable` keeps fsync on, `settings` are more postgresql.conf lines (they
 * win over the defaults above).
 *
 * @param {{ durable?: boolean, settings?: readonly string[] }} [options]
 */
export async function startPostgresServer(options = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'eventlite-pg-'));
  try {
    return await startIn(folder, options);
  } catch (error) {
    // A start cut short (a signal, a timeout) may still have left a server running.
    await stopServer(folder).catch(() => {});
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Starts a streaming hot standby of `primary` (a server this module started): a base backup
 * of it taken with `pg_basebackup -R` (which writes standby.signal and primary_conninfo) into
 * a fresh folder, then started on a port of its own. It replays what the primary commits a
 * moment later; stop() stops it and removes its folder, as for any server of this module.
 *
 * @param {{ url: string }} primary
 */
export async function startStandby(primary) {
  const folder = mkdtempSync(join(tmpdir(), 'eventlite-pg-standby-'));
  try {
    return await startStandbyIn(folder, primary);
  } catch (error) {
    await stopServer(folder).catch(() => {});
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

async function startStandbyIn(folder, primary) {
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await systemUser(SYSTEM_USER) : undefined;
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const source = new URL(primary.url);
  const data = join(folder, 'data');
  await serverProgram(
    'pg_basebackup',
    [
      '--pgdata',
      data,
      '--write-recovery-conf',
      '--wal-method=stream',
      '--checkpoint=fast',
      '--no-sync',
      '--host',
      source.hostname,
      '--port',
      source.port,
      '--username',
      decodeURIComponent(source.username),
    ],
    { PGPASSWORD: decodeURIComponent(source.password) },
  );
  // The backup carries the primary's postgresql.auto.conf (its port and socket folder) with
  // primary_conninfo added at the end; lines added after those win.
  return startServer(folder, data, ['hot_standby = on'], decodeURIComponent(source.password));
}

async function startIn(folder, options) {
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await systemUser(SYSTEM_USER) : undefined;
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(folder, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (owner) chownSync(passwordFile, owner.uid, owner.gid);
  const data = join(folder, 'data');

  await serverProgram('initdb', [
    '--pgdata',
    data,
    '--username',
    'postgres',
    `--pwfile=${passwordFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  rmSync(passwordFile);

  const settings = [
    ...(options.durable ? DURABLE : FAST),
    'max_connections = 200',
    ...(options.settings ?? []),
  ];
  writeFileSync(join(data, 'postgresql.auto.conf'), '');
  return startServer(folder, data, settings, password);
}

/**
 * Starts the server of `data` on a free loopback port, its socket in `folder`, with `settings`
 * added to its postgresql.auto.conf, and returns what stops it.
 */
async function startServer(folder, data, settings, password) {
  const given = readFileSync(join(data, 'postgresql.auto.conf'), 'utf8');
  // A port found free may be taken by someone else before the server binds it: try a few.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freeLoopbackPort();
    const lines = [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${folder}'`,
      ...settings,
    ];
    writeFileSync(join(data, 'postgresql.auto.conf'), `${given}${lines.join('\n')}\n`);
    try {
      await serverProgram('pg_ctl', [
        'start',
        '--pgdata',
        data,
        '--wait',
        '--timeout=60',
        '--silent',
        `--log=${join(folder, 'server.log')}`,
      ]);
    } catch (error) {
      if (attempt < 3) continue;
      throw error;
    }
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    /** @type {Promise<void> | undefined} */
    let stopped;
    return {
      url,
      folder,
      settings,
      stop() {
        // Once only: a signal handler and a `finally` may both ask.
        return (stopped ??= (async () => {
          try {
            await stopServer(folder);
          } finally {
            rmSync(folder, { recursive: true, force: true });
          }
        })());
      },
    };
  }
}

/** Stops the cluster in `folder`, if one runs there (the server ends its own sessions). */
async function stopServer(folder) {
  const data = join(folder, 'data');
  if (!existsSync(join(data, 'postmaster.pid'))) return;
  await serverProgram('pg_ctl', ['stop', '--pgdata', data, '--mode=immediate', '--silent']);
}

async function serverProgram(name, args, env = {}) {
  const program = findServerProgram(name);
  const asRoot = process.getuid?.() === 0;
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', SYSTEM_USER, '--', program, ...args]]
    : [program, args];
  try {
    // cwd: the server programs must be able to read their working folder, which root's may not be.
    await run(command, commandArgs, {
      cwd: tmpdir(),
      env: { ...process.env, ...env, LC_ALL: 'C' },
    });
  } catch (error) {
    const { stderr, stdout, message } = error;
    throw new Error(`${name} failed: ${(stderr || stdout || message).trim()}`, { cause: error });
  }
}

/** Debian keeps initdb and pg_ctl off PATH, in /usr/lib/postgresql/VERSION/bin. */
function findServerProgram(name) {
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .some((folder) => folder !== '' && existsSync(join(folder, name)));
  if (onPath) return name;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', name)))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? name : join(root, newest, 'bin', name);
}

async function systemUser(name) {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', name]).then(({ stdout }) => Number(stdout.trim())),
    run('id', ['-g', name]).then(({ stdout }) => Number(stdout.trim())),
  ]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(`cannot find the "${name}" system user to run PostgreSQL as`);
  }
  return { uid, gid };
}

function freeLoopbackPort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
