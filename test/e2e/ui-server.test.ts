import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { bankTemplate } from '../helpers/bank-template.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import {
  describeBankCommands,
  OPEN_ACCOUNT_JSON_SCHEMA,
  OPEN_ACCOUNT_TEMPLATE,
} from '../helpers/described-bank.js';
import {
  eventually,
  readEvents,
  send,
  startUi,
  type HttpAnswer,
  type RunningUi,
} from '../helpers/ui-server.js';

// `eventlite ui` spawned as a user starts it, talked to over HTTP as a script would: the event
// stream resumes after Last-Event-ID across a restart of the server, and the fixed surface
// refuses what it must (another Host or Origin: 403; commands without the token: 401).

const bank = bankTemplate();

for (const backend of backends()) {
  describe(`eventlite ui on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    let servers: RunningUi[];
    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      servers = [];
    });
    afterEach(async () => {
      for (const server of servers) await server.stop();
      await store.cleanup();
      folder.cleanup();
    });

    const ui = async (args: string[]) => {
      const server = await startUi(args, { cwd: folder.dir, env: store.env });
      servers.push(server);
      return server;
    };
    /**
     * `count` events appended to `stream` by another process than the server's, in one batch:
     * the CLI in process (the server is the spawned one here).
     */
    const append = async (stream: string, count: number) => {
      const file = join(folder.dir, `${stream}.ndjson`);
      const lines = Array.from({ length: count }, (_, n) =>
        JSON.stringify({ type: 'Noted', data: { n } }),
      );
      writeFileSync(file, `${lines.join('\n')}\n`);
      const result = await runInProcess(['append', stream, '--file', file], {
        cwd: folder.dir,
        env: store.env,
      });
      expect(result.code, result.stderr).toBe(0);
    };

    it('an event stream that reconnects after the server restarts misses nothing and repeats nothing', async () => {
      await append('before-1', 3);
      const first = await ui(['--port', '0']);
      const before = readEvents(first.base);
      await eventually(() => before.events.length === 3, 20_000, 'the first three events');
      await append('while-up', 2);
      await eventually(
        () => before.events.length === 5,
        20_000,
        'the events appended while connected',
      );
      const host = (server: RunningUi) => ({ host: `127.0.0.1:${server.port}` });
      const firstView = await send(first.base, '/api/view?after=-1', { headers: host(first) });
      const firstSeq = (JSON.parse(firstView.body) as { seq: number }).seq;
      await first.stop();
      await before.ended;
      await append('while-down', 3);
      const second = await ui(['--port', String(first.port)]);
      // A page that held the first run's view is answered at once, not after the 25 s wait
      // for a change that a view of the same number would get.
      const view = send(second.base, `/api/view?after=${firstSeq}`, { headers: host(second) });
      const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000));
      const answered = await Promise.race([view, late]);
      expect(answered).not.toBe('late');
      expect((JSON.parse((answered as HttpAnswer).body) as { seq: number }).seq).not.toBe(firstSeq);
      const lastSeen = before.events.at(-1)!.id;
      const after = readEvents(second.base, { 'Last-Event-ID': lastSeen });
      await append('after-restart', 2);
      await eventually(() => after.events.length === 5, 20_000, 'the events since the last id');
      after.stop();
      const ids = [...before.events, ...after.events].map((event) => Number(event.id));
      expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      for (const event of [...before.events, ...after.events]) {
        expect(JSON.parse(event.data)).toMatchObject({ position: Number(event.id), type: 'Noted' });
      }
      // Without Last-Event-ID: from the first event, or after ?after= (what a page opens with).
      const whole = readEvents(second.base);
      const tail = readEvents(second.base, {}, '/events?after=8');
      await eventually(
        () => whole.events.length === 10 && tail.events.length === 2,
        20_000,
        'the log',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      whole.stop();
      tail.stop();
      expect(whole.events.map((event) => Number(event.id))).toEqual(ids);
      expect(tail.events.map((event) => Number(event.id))).toEqual([9, 10]);
    });

    it('refuses another Host or Origin (403), commands without --allow-exec (403) or the token (401)', async () => {
      cpSync(bank.dir, folder.dir, { recursive: true });
      const command = JSON.stringify({
        command: 'OpenAccount',
        data: { accountId: 'a1', owner: 'Ada' },
      });
      const server = await ui(['--port', '0', '--allow-exec']);
      expect(server.token).toMatch(/^[\w-]{32}$/);
      const headers = { host: `localhost:${server.port}`, 'content-type': 'application/json' };
      const post = (extra: Record<string, string>) =>
        send(server.base, '/commands', {
          method: 'POST',
          headers: { ...headers, ...extra },
          body: command,
        });
      expect((await post({})).status).toBe(401);
      expect((await post({ authorization: 'Bearer not-the-token' })).status).toBe(401);
      const bearer = { authorization: `Bearer ${server.token}` };
      expect((await post({ ...bearer, host: 'evil.example' })).status).toBe(403);
      expect((await post({ ...bearer, origin: 'http://evil.example' })).status).toBe(403);
      const ran = await post(bearer);
      expect(ran.status, ran.body).toBe(200);
      expect(JSON.parse(ran.body)).toMatchObject({
        stream: 'account-a1',
        events: [{ position: 1, stream: 'account-a1', version: 1, type: 'AccountOpened' }],
      });
      const again = await post(bearer);
      expect(again.status).toBe(422);
      expect(JSON.parse(again.body)).toMatchObject({
        error: { code: 'DOMAIN_REJECTION', reason: 'AccountAlreadyOpen' },
      });
      const write = await send(server.base, '/api/query', {
        method: 'POST',
        headers,
        body: JSON.stringify({ sql: 'DELETE FROM account_summary' }),
      });
      expect(write.status).toBe(400);
      expect(JSON.parse(write.body).error.message).toMatch(/refused/);
      await server.stop();

      // Read-only (no --allow-exec): no token, and commands are refused whoever asks.
      const readOnly = await ui(['--port', '0']);
      const host = { host: `127.0.0.1:${readOnly.port}` };
      expect((await send(readOnly.base, '/', { headers: host })).status).toBe(200);
      expect((await send(readOnly.base, '/', { headers: { host: 'evil.example' } })).status).toBe(
        403,
      );
      expect(
        (await send(readOnly.base, '/', { headers: { host: `attacker.example:${readOnly.port}` } }))
          .status,
      ).toBe(403);
      const foreign = { ...host, origin: 'http://evil.example' };
      expect((await send(readOnly.base, '/api/overview', { headers: foreign })).status).toBe(403);
      const deposit = JSON.stringify({ command: 'Deposit', data: { accountId: 'a1', amount: 5 } });
      const refused = await send(readOnly.base, '/commands', {
        method: 'POST',
        headers: host,
        body: deposit,
      });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('--allow-exec');
      expect(readOnly.token).toBeUndefined();
      // Nothing refused was appended: the log holds the one command that ran.
      const overview = await send(readOnly.base, '/api/overview', { headers: host });
      expect(JSON.parse(overview.body)).toMatchObject({ head: 1, allowExec: false });
    });

    it("the command box starts from a command's schema when it describes itself, else from the scenario", async () => {
      cpSync(bank.dir, folder.dir, { recursive: true });
      describeBankCommands(folder.dir);
      const server = await ui(['--port', '0', '--allow-exec']);
      const headers = { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json' };
      const overview = await send(server.base, '/api/overview', { headers });
      expect(overview.status, overview.body).toBe(200);
      // Deposit's schema has validate alone and Withdraw's jsonSchema throws: both start from
      // the first line for them in the scenario.ndjson beside the domain, as before.
      expect(JSON.parse(overview.body).domain.commands).toEqual([
        {
          name: 'OpenAccount',
          example: OPEN_ACCOUNT_TEMPLATE,
          from: 'schema',
          jsonSchema: OPEN_ACCOUNT_JSON_SCHEMA,
          required: ['accountId', 'owner'],
        },
        {
          name: 'Deposit',
          example: { accountId: 'acc-1', amount: 100 },
          from: 'scenario',
          jsonSchema: null,
          required: [],
        },
        {
          name: 'Withdraw',
          example: { accountId: 'acc-1', amount: 30 },
          from: 'scenario',
          jsonSchema: null,
          required: [],
        },
      ]);
      // The template, sent as it is, is a command its schema and decider take.
      const ran = await send(server.base, '/commands', {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ command: 'OpenAccount', data: OPEN_ACCOUNT_TEMPLATE }),
      });
      expect(ran.status, ran.body).toBe(200);
      expect(JSON.parse(ran.body)).toMatchObject({
        stream: 'account-acc-7',
        events: [{ type: 'AccountOpened', data: { accountId: 'acc-7', owner: 'Grace Hopper' } }],
      });
      // A schema that cannot be written as JSON Schema is no failure of the server's.
      expect(server.stderr()).not.toContain('Withdraw');
    });

    it("a domain's code that throws: a 500 to the caller, and one escaped line on the terminal", async () => {
      // A decider with a bug, whose message carries the command's data: an escape sequence
      // that would retitle the terminal of whoever runs the page.
      writeFileSync(
        join(folder.dir, 'eventlite.config.ts'),
        `import { defineDecider, defineDomain } from 'eventlite';
        const crash = defineDecider({
          category: 'crash',
          streamId: () => 'one',
          initialState: () => ({}),
          evolve: (state) => state,
          decide: {
            Crash(command) {
              throw new Error('crashed on ' + command.data.id);
            },
          },
        });
        export default defineDomain({ deciders: { crash } });
        `,
      );
      const server = await ui(['--port', '0', '--allow-exec']);
      const answer = await send(server.base, '/commands', {
        method: 'POST',
        headers: {
          host: `127.0.0.1:${server.port}`,
          authorization: `Bearer ${server.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ command: 'Crash', data: { id: 'c1\u001b]0;pwned\u0007' } }),
      });
      expect(answer.status, answer.body).toBe(500);
      expect(JSON.parse(answer.body).error.message).toContain('crashed on c1\u001b]0;pwned\u0007');
      await eventually(() => server.stderr().includes('POST /commands'), 20_000, 'the line');
      const line = server
        .stderr()
        .split('\n')
        .find((text) => text.includes('POST /commands'));
      expect(line).toMatch(
        /^eventlite ui: POST \/commands: .*crashed on c1\\u001b\]0;pwned\\u0007$/,
      );
    });

    it('--no-projections shows the read models as another process leaves them, lag and all', async () => {
      cpSync(bank.dir, folder.dir, { recursive: true });
      const cli = async (args: string[]) => {
        const result = await runInProcess(args, { cwd: folder.dir, env: store.env });
        expect(result.code, result.stderr).toBe(0);
      };
      await cli(['exec', 'OpenAccount', '{"accountId":"a1","owner":"Ada"}']);
      await cli(['projections', 'run']);
      const server = await ui(['--port', '0', '--no-projections']);
      const host = { host: `127.0.0.1:${server.port}` };
      const view = async () =>
        JSON.parse((await send(server.base, '/api/view?after=-1', { headers: host })).body) as {
          head: number;
          projections: { name: string; checkpoint: number; lag: number }[];
          tables: { name: string; rows: { values: { balance: number }; mark?: string }[] }[];
        };
      const summary = (seen: Awaited<ReturnType<typeof view>>) =>
        seen.tables.find((table) => table.name === 'account_summary')!.rows;
      /** The view once `check` holds of it (it changes as the server polls the store). */
      const viewWhen = async (check: (seen: Awaited<ReturnType<typeof view>>) => boolean) => {
        const deadline = Date.now() + 20_000;
        let seen = await view();
        while (!check(seen) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          seen = await view();
        }
        return seen;
      };

      await cli(['exec', 'Deposit', '{"accountId":"a1","amount":40}']);
      let seen = await viewWhen((candidate) => candidate.head === 2);
      // Not caught up here: the checkpoint stays where `projections run` left it.
      expect(seen.head).toBe(2);
      expect(seen.projections).toMatchObject([{ name: 'account_summary', checkpoint: 1, lag: 1 }]);
      expect(summary(seen)).toMatchObject([{ values: { balance: 0 } }]);

      // Another process catches up: the page follows, the row marked changed.
      await cli(['projections', 'run']);
      seen = await viewWhen((candidate) => candidate.projections[0]?.checkpoint === 2);
      expect(seen.projections).toMatchObject([{ name: 'account_summary', checkpoint: 2, lag: 0 }]);
      expect(summary(seen)).toMatchObject([{ values: { balance: 40 }, mark: 'changed' }]);
    });
  });
}
