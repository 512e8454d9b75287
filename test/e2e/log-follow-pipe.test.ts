import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, parseNdjson, spawnCli, tempDir } from '../helpers/cli.js';

// `eventlite log --follow | head -3` through a real pipe made by a shell: once head has its
// three lines and exits, the follower must end too, with no new event to write (before, it
// learnt of the closed pipe only at the next event's write, and the shell waited for it).

for (const backend of backends()) {
  describe(`log --follow into a pipe whose reader goes away, on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    let shell: ReturnType<typeof spawn> | undefined;
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      for (const n of [1, 2, 3, 4, 5]) {
        const appended = await spawnCli(['append', `s-${n}`, 'Noted', JSON.stringify({ n })], {
          cwd: folder.dir,
          env: store.env,
        });
        expect(appended.code, appended.stderr).toBe(0);
      }
    });
    afterEach(async () => {
      // A follower that never ended must not outlive the test: the shell leads its group.
      if (shell?.pid !== undefined && shell.exitCode === null) process.kill(-shell.pid, 'SIGKILL');
      await store.cleanup();
      folder.cleanup();
    });

    it(
      'ends quietly with 0 once head has gone, with no new event',
      { timeout: 30_000 },
      async () => {
        // The caught-up follower is idle when head exits: 3 lines fit in the pipe's buffer.
        const script =
          '{ "$NODE" "$BIN" log --follow --format ndjson; echo "eventlite exited $?" >&2; } | head -3';
        const shell = spawn('sh', ['-c', script], {
          cwd: folder.dir,
          env: cliEnv({ ...store.env, NODE: process.execPath, BIN }),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const result = await collect(shell);
        expect(result.stderr).toBe('eventlite exited 0\n');
        expect(result.code).toBe(0);
        expect(
          (parseNdjson(result.stdout) as { position: number }[]).map((e) => e.position),
        ).toEqual([1, 2, 3]);
      },
    );
  });
}
