import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startPostgresServer, type PostgresServer } from '../helpers/postgres-server.js';

// A server on the same machine through its Unix socket, as docs/scaling.md shows the URLs: the
// socket's folder as the URL's host (percent-encoded) or as the `host` parameter. A server of
// its own, whose socket folder the test knows (the suite's shared server gives only a TCP URL).
const enabled = backends().some((backend) => backend.name === 'postgres');

describe.runIf(enabled)('a PostgreSQL store through a Unix socket', () => {
  let server: PostgresServer;
  let folder: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    server = await startPostgresServer();
    folder = tempDir();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    folder?.cleanup();
  });

  const socketUrls = () => {
    const port = new URL(server.url).port;
    return [
      `postgres://postgres@${encodeURIComponent(server.folder)}:${port}/postgres`,
      `postgres:///postgres?host=${server.folder}&port=${port}&user=postgres`,
    ];
  };

  it('appends and reads with the socket folder as host or as a parameter', async () => {
    const [asHost, asParameter] = socketUrls();
    for (const [index, db] of [asHost!, asParameter!].entries()) {
      const cli = (args: string[]) => runInProcess(['--db', db, ...args], { cwd: folder.dir });
      const appended = await cli(['append', 'a-1', 'Noted', `{"n":${index}}`]);
      expect([appended.code, appended.stderr]).toEqual([0, '']);
      expect(JSON.parse(appended.stdout)).toMatchObject({
        position: index + 1,
        version: index + 1,
      });
      const status = await cli(['status', '--format', 'json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ head: index + 1, events: index + 1 });
    }
    // Both URLs name the same database: the second sees the first one's event.
    const read = await runInProcess(['--db', asParameter!, 'read', 'a-1', '--format', 'ndjson'], {
      cwd: folder.dir,
    });
    expect(
      read.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).data),
    ).toEqual([{ n: 0 }, { n: 1 }]);
  });
});
