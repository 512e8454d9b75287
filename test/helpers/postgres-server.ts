import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A throw-away PostgreSQL cluster for the tests: a fresh folder, a free loopback port, no
// durability (fsync off), a password on the `postgres` role so that a wrong password can be
// tried. PostgreSQL refuses to run as root, and tests run as root here and in CI, so when we
// are root every server program runs as the `postgres` system user in a folder it owns.

const run = promisify(execFile);
const SYSTEM_USER = 'postgres';

export interface PostgresServer {
  /** postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres */
  url: string;
  stop(): Promise<void>;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const folder = mkdtempSync(join(tmpdir(), 'eventlite-pg-'));
  try {
    return await startIn(folder);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(folder: string): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await systemUser(SYSTEM_USER);
    chownSync(folder, uid, gid);
  }
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(folder, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = await systemUser(SYSTEM_USER);
    chownSync(passwordFile, uid, gid);
  }
  const data = join(folder, 'data');
  const server = (program: string, args: string[]) => runServerProgram(program, args, asRoot);

  await server('initdb', [
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

  // A port found free may be taken by someone else before the server binds it: try a few.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freeLoopbackPort();
    const settings = [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${folder}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 200',
    ];
    writeFileSync(join(data, 'postgresql.auto.conf'), `${settings.join('\n')}\n`);
    try {
      await server('pg_ctl', [
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
    return {
      url,
      async stop() {
        try {
          await server('pg_ctl', ['stop', '--pgdata', data, '--mode=immediate', '--silent']);
        } finally {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    };
  }
}

async function runServerProgram(name: string, args: string[], asRoot: boolean) {
  const program = serverProgram(name);
  const [command, commandArgs] = asRoot
    ? ['runuser', ['-u', SYSTEM_USER, '--', program, ...args]]
    : [program, args];
  try {
    // cwd: the server programs must be able to read their working folder, which root's may not be.
    await run(command, commandArgs, { cwd: tmpdir(), env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    const { stderr, stdout, message } = error as {
      stderr?: string;
      stdout?: string;
      message: string;
    };
    throw new Error(`${name} failed: ${(stderr || stdout || message).trim()}`, { cause: error });
  }
}

/** Debian keeps initdb and pg_ctl off PATH, in /usr/lib/postgresql/VERSION/bin. */
function serverProgram(name: string): string {
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

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', name]).then(({ stdout }) => Number(stdout.trim())),
    run('id', ['-g', name]).then(({ stdout }) => Number(stdout.trim())),
  ]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(`cannot find the "${name}" system user to run PostgreSQL as`);
  }
  return { uid, gid };
}

function freeLoopbackPort(): Promise<number> {
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
