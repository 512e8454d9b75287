import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// `eventlite ui` refuses what it cannot serve with one line and the contract's exit code, and
// changes nothing: no store is created by a server that never started.

describe('eventlite ui, refused', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir();
  });
  afterEach(() => folder.cleanup());

  it('a --port that is not a port: exit 2', async () => {
    const result = await runInProcess(['ui', '--port', '70000'], { cwd: folder.dir });
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: --port must be a port number from 0 to 65535, got "70000"\n',
    });
  });

  it('a --replay scenario that does not exist: exit 5, before any store is made', async () => {
    const result = await runInProcess(['ui', '--allow-exec', '--replay', 'lesson.ndjson'], {
      cwd: folder.dir,
    });
    expect(result).toMatchObject({ code: 5, stderr: 'error: no such file: lesson.ndjson\n' });
    expect(existsSync(join(folder.dir, 'eventlite.db'))).toBe(false);
  });

  it('no store to look at, read-only: exit 5, and none is created', async () => {
    const result = await runInProcess(['ui', '--port', '0'], { cwd: folder.dir });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: no event store at eventlite\.db/);
    expect(existsSync(join(folder.dir, 'eventlite.db'))).toBe(false);
  });

  describe('a port in use', () => {
    let taken: Server;
    beforeEach(async () => {
      taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    });
    afterEach(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it('exit 2, naming the port and how to choose another', async () => {
      expect((await runInProcess(['init'], { cwd: folder.dir })).code).toBe(0);
      const port = (taken.address() as AddressInfo).port;
      const result = await runInProcess(['ui', '--port', String(port)], { cwd: folder.dir });
      expect(result).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `error: port ${port} on 127.0.0.1 is in use; choose another with --port (0 takes any free one)\n`,
      });
    });
  });
});
