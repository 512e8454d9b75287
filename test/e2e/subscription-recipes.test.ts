import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { cliEnv, parseNdjson, spawnCli, tempDir } from '../helpers/cli.js';
import { eventliteOnPath, recipe, startRedis, toolsPresent } from './recipe-tools.js';
import { deliveredIn, messageDbMember, storedEvents } from './subscribe-helpers.js';

// The recipes of docs/subscriptions.md, as the page writes them (less `--follow`, so that each
// run ends), against the bank example's store on each backend: into a webhook served here, into
// a second store, a consumer group of three, and a Redis hash per account in a real
// redis-server. Without jq, curl, bash or redis-server the recipes that need them are skipped,
// with a message; under CI=true a missing one fails.

const tools = toolsPresent(['sh', 'bash', 'jq', 'curl', 'redis-server', 'redis-cli']);
const hasAll = (...names: string[]) => names.every((name) => !tools.missing.includes(name));

interface Event {
  position: number;
  stream: string;
  version: number;
  type: string;
  recordedAt: string;
  data: Record<string, unknown>;
}

for (const backend of backends()) {
  describe(`the subscription recipes, on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    let env: NodeJS.ProcessEnv;

    /**
     * Runs a recipe's shell text in the bank folder, `--follow` left out. Asynchronous: the
     * webhook recipe's receiver is served by this process, which must keep answering meanwhile.
     */
    function run(text: string, extra: Record<string, string> = {}) {
      return new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn('sh', ['-c', text.replaceAll(' --follow', '')], {
          cwd: folder.dir,
          env: { ...env, ...extra },
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 120_000,
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('close', (status) => resolve({ status, stderr }));
      });
    }

    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      env = cliEnv({
        ...store.env,
        PATH: `${eventliteOnPath(folder.dir)}:${process.env.PATH}`,
      });
      const cli = (args: string[]) => spawnCli(args, { cwd: folder.dir, env: store.env });
      expect((await cli(['init', '--example', 'bank'])).code).toBe(0);
      expect((await cli(['replay', 'scenario.ndjson', '--keep-going', '--quiet'])).code).toBe(0);
    });
    afterEach(async () => {
      await store.cleanup();
      folder.cleanup();
    });

    it.runIf(hasAll('curl'))(
      'webhook: each batch POSTed as NDJSON; a refused one comes again',
      { timeout: 180_000 },
      async () => {
        const bodies: string[] = [];
        let refuse = 1;
        const server: Server = createServer((request, response) => {
          let body = '';
          request.on('data', (chunk: Buffer) => (body += chunk.toString()));
          request.on('end', () => {
            if (refuse > 0) {
              refuse -= 1;
              response.writeHead(503).end();
              return;
            }
            bodies.push(body);
            expect(request.headers['content-type']).toBe('application/x-ndjson');
            response.writeHead(204).end();
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/events`;
        try {
          const refused = await run(recipe('webhook'), { WEBHOOK_URL: url });
          expect(refused.status, refused.stderr).toBe(1);
          expect(refused.stderr).toContain('curl: (22)');
          const sent = await run(recipe('webhook'), { WEBHOOK_URL: url });
          expect(sent.status, sent.stderr).toBe(0);
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
        const log = await spawnCli(['log', '--format', 'ndjson'], {
          cwd: folder.dir,
          env: store.env,
        });
        expect(bodies.join('')).toBe(log.stdout);
      },
    );

    it(
      'into a second store: its export is the source export, byte for byte',
      { timeout: 180_000 },
      async () => {
        const copied = await run(recipe('replica'));
        expect(copied.status, copied.stderr).toBe(0);
        // Again, with nothing new: nothing is delivered, nothing is imported twice.
        expect((await run(recipe('replica'))).status).toBe(0);
        const source = await spawnCli(['export'], { cwd: folder.dir, env: store.env });
        const replica = await spawnCli(['--db', 'replica.db', 'export'], { cwd: folder.dir });
        expect(replica.stdout).toBe(source.stdout);
        expect(parseNdjson(source.stdout)).toHaveLength(7);
      },
    );

    it.runIf(hasAll('jq'))(
      'a consumer group of three: every event once, each stream to its member',
      { timeout: 180_000 },
      async () => {
        writeFileSync(join(folder.dir, 'index-batch.sh'), recipe('index-batch.sh', 'recipe-file'), {
          mode: 0o755,
        });
        const ran = await run(recipe('group'));
        expect(ran.status, ran.stderr).toBe(0);
        const events = await storedEvents(store, folder.dir);
        const indexed = [0, 1, 2].map((member) =>
          deliveredIn(join(folder.dir, `indexed-${member}.ndjson`)),
        );
        expect(
          indexed
            .flat()
            .map((event) => event.position)
            .sort((a, b) => a - b),
        ).toEqual(events.map((event) => event.position));
        indexed.forEach((share, member) => {
          for (const event of share) expect(messageDbMember(event.stream, 3)).toBe(member);
        });
      },
    );

    it.runIf(hasAll('bash', 'jq', 'redis-server', 'redis-cli'))(
      'a Redis hash per account, kept current through redis-cli',
      { timeout: 180_000 },
      async () => {
        const redis = await startRedis(folder.dir);
        try {
          writeFileSync(join(folder.dir, 'to-redis.sh'), recipe('to-redis.sh', 'recipe-file'), {
            mode: 0o755,
          });
          const port = String(redis.port);
          const first = await run(recipe('redis'), { REDIS_PORT: port });
          expect(first.status, first.stderr).toBe(0);
          // A later deposit, and the same recipe again: the hash follows.
          const deposit = await spawnCli(['exec', 'Deposit', '{"accountId":"acc-1","amount":5}'], {
            cwd: folder.dir,
            env: store.env,
          });
          expect(deposit.code, deposit.stderr).toBe(0);
          expect((await run(recipe('redis'), { REDIS_PORT: port })).status).toBe(0);
          const events = (await storedEvents(store, folder.dir)) as unknown as Event[];
          for (const account of ['acc-1', 'acc-2']) {
            const hash = spawnSync(
              'redis-cli',
              ['-p', port, '--no-raw', 'HGETALL', `account:${account}`],
              {
                encoding: 'utf8',
              },
            ).stdout;
            const mine = events.filter((event) => event.stream === `account-${account}`);
            const last = mine[mine.length - 1]!;
            const balance = [...mine].reverse().find((event) => event.type !== 'AccountOpened');
            expect(fieldsOf(hash)).toEqual({
              version: String(last.version),
              updated: last.recordedAt,
              owner: String(mine[0]!.data.owner),
              balance: String(balance!.data.balance),
            });
          }
          expect(
            fieldsOf(
              spawnSync('redis-cli', ['-p', port, '--no-raw', 'HGETALL', 'account:acc-1'], {
                encoding: 'utf8',
              }).stdout,
            ).balance,
          ).toBe('75');
        } finally {
          await redis.stop();
        }
      },
    );
  });
}

/** redis-cli's HGETALL reply (`1) "field"` lines) as an object. */
function fieldsOf(reply: string): Record<string, string> {
  const values = reply
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line.replace(/^\s*\d+\)\s*/, '')) as string);
  const fields: Record<string, string> = {};
  for (let index = 0; index < values.length; index += 2)
    fields[values[index]!] = values[index + 1]!;
  return fields;
}
