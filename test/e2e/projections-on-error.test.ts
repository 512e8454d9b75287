import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, spawnCli, tempDir } from '../helpers/cli.js';

// A projection's onError, through the built binary on each backend: with 'park' a failing
// event is set aside with its stream's later events (the stream's row stays as it was) and the
// rest flows; with 'skip' only the event is left out. Both are on record; `projections retry`
// applies them once the handler is fixed, without a rebuild.

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const EVENTS = [
  ['account-1', { amount: 10 }],
  ['account-2', { amount: 1 }],
  ['account-1', { amount: 20, poison: true }],
  ['account-2', { amount: 2 }],
  ['account-1', { amount: 30 }],
  ['account-3', { amount: 100, poison: true }],
] as const;

function domain(onError: 'park' | 'skip', broken: boolean): string {
  return `export default {
  deciders: {
    account: {
      category: 'account',
      streamId: (command) => command.data.account,
      initialState: () => null,
      evolve: (state) => state,
      decide: { Deposit: (command) => [{ type: 'Deposited', data: command.data }] },
    },
  },
  projections: [{
    name: 'balances',
    version: 1,
    onError: '${onError}',
    setup: ['CREATE TABLE balances (account TEXT PRIMARY KEY, total INTEGER NOT NULL, last_version INTEGER NOT NULL)'],
    on: {
      Deposited: (e) => {
        if (${broken} && e.data.poison) throw new Error('poison deposit of ' + e.data.amount);
        return {
          sql: 'INSERT INTO balances (account, total, last_version) VALUES (?, ?, ?) ON CONFLICT (account) DO UPDATE SET total = balances.total + excluded.total, last_version = excluded.last_version',
          params: [e.stream, e.data.amount, e.version],
        };
      },
    },
  }],
};
`;
}

for (const backend of backends()) {
  describe(`a projection's onError, on ${backend.name}`, () => {
    let folder: ReturnType<typeof tempDir>;
    let store: StoreUnderTest;
    const cli = (args: string[]) =>
      spawnCli(['--domain', 'domain.mjs', ...args], { cwd: folder.dir, env: store.env });
    const write = (onError: 'park' | 'skip', broken: boolean) =>
      writeFileSync(join(folder.dir, 'domain.mjs'), domain(onError, broken));
    const balances = async () => {
      const result = await cli([
        'query',
        'SELECT account, total, last_version FROM balances ORDER BY account',
        '--format',
        'json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as unknown[];
    };
    const listed = async () => {
      const result = await cli(['projections', '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as Record<string, unknown>[])[0];
    };
    const setAside = async () => {
      const result = await cli(['projections', 'parked', 'balances', '--format', 'ndjson']);
      expect(result.code, result.stderr).toBe(0);
      return parseNdjson(result.stdout) as {
        position: number;
        kind: string;
        error: string;
        attempts: number;
      }[];
    };

    beforeEach(async () => {
      folder = tempDir();
      store = await backend.freshStore();
      const lines = EVENTS.map(([stream, data], index) =>
        JSON.stringify({
          stream,
          type: 'Deposited',
          id: ID(index + 1),
          data,
          metadata: {},
          recordedAt: '2026-11-26T10:00:00.000Z',
        }),
      );
      writeFileSync(join(folder.dir, 'log.ndjson'), `${lines.join('\n')}\n`);
      expect(
        (await spawnCli(['import', 'log.ndjson'], { cwd: folder.dir, env: store.env })).code,
      ).toBe(0);
    });
    afterEach(async () => {
      await store.cleanup();
      folder.cleanup();
    });

    it(
      'park: the failing event and the rest of its stream wait; the others flow; retry applies them once fixed',
      { timeout: 180_000 },
      async () => {
        write('park', true);
        const run = await cli(['projections', 'run']);
        expect([run.code, run.stderr]).toEqual([
          0,
          'projection "balances": parked event 3 (stream "account-1", type Deposited): poison deposit of 20\n' +
            'projection "balances": parked event 6 (stream "account-3", type Deposited): poison deposit of 100\n' +
            'balances: at position 6; events set aside: 3 parked (eventlite projections parked balances)\n',
        ]);
        expect(await listed()).toMatchObject({
          status: 'ok',
          checkpoint: 6,
          lag: 0,
          parked: 3,
          skipped: 0,
        });
        expect(await balances()).toEqual([
          { account: 'account-1', total: 10, last_version: 1 },
          { account: 'account-2', total: 3, last_version: 2 },
        ]);
        expect(
          (await setAside()).map(({ position, kind, error, attempts }) => [
            position,
            kind,
            error,
            attempts,
          ]),
        ).toEqual([
          [3, 'parked', 'poison deposit of 20', 1],
          [5, 'parked', 'waiting behind the parked event at position 3 of its stream', 0],
          [6, 'parked', 'poison deposit of 100', 1],
        ]);
        // Still broken: they fail again, and stay.
        const early = await cli(['projections', 'retry', 'balances']);
        expect([early.code, early.stderr]).toEqual([
          0,
          'projection "balances": 0 events applied, 3 still set aside (projections parked balances)\n',
        ]);
        expect((await setAside()).map((row) => row.attempts)).toEqual([2, 0, 2]);
        // A later event of a parked stream waits too.
        expect(
          (
            await spawnCli(['append', 'account-1', 'Deposited', '{"amount":40}'], {
              cwd: folder.dir,
              env: store.env,
            })
          ).code,
        ).toBe(0);
        expect((await cli(['projections', 'run'])).code).toBe(0);
        expect((await setAside()).map((row) => row.position)).toEqual([3, 5, 6, 7]);
        // Fixed: the next run adopts the handlers instead of rebuilding, and retry applies them.
        write('park', false);
        const fixed = await cli(['projections', 'run', '--format', 'json']);
        expect(fixed.code, fixed.stderr).toBe(0);
        expect(fixed.stderr).toContain(
          'projection "balances": handlers changed while events are set aside (4 parked); continuing from checkpoint 7 (apply them again with "eventlite projections retry balances")',
        );
        expect(JSON.parse(fixed.stdout)).toMatchObject([{ rebuilt: false, from: 7, to: 7 }]);
        const retried = await cli(['projections', 'retry', 'balances']);
        expect([retried.code, retried.stderr]).toEqual([
          0,
          'projection "balances": 4 events applied\n',
        ]);
        const expected = [
          { account: 'account-1', total: 100, last_version: 4 },
          { account: 'account-2', total: 3, last_version: 2 },
          { account: 'account-3', total: 100, last_version: 1 },
        ];
        expect(await balances()).toEqual(expected);
        expect(await setAside()).toEqual([]);
        expect(await listed()).toMatchObject({ parked: 0, skipped: 0 });
        // The same as a build from scratch.
        expect((await cli(['projections', 'rebuild'])).code).toBe(0);
        expect(await balances()).toEqual(expected);
      },
    );

    it(
      'skip: only the failing event is left out, on record; a rebuild finds it again',
      { timeout: 180_000 },
      async () => {
        write('skip', true);
        const run = await cli(['projections', 'run']);
        expect(run.code).toBe(0);
        expect(run.stderr.split('\n').slice(-2)).toEqual([
          'balances: at position 6; events set aside: 2 skipped (eventlite projections parked balances)',
          '',
        ]);
        expect(await listed()).toMatchObject({
          status: 'ok',
          checkpoint: 6,
          parked: 0,
          skipped: 2,
        });
        expect(await balances()).toEqual([
          { account: 'account-1', total: 40, last_version: 3 },
          { account: 'account-2', total: 3, last_version: 2 },
        ]);
        expect((await setAside()).map(({ position, kind }) => [position, kind])).toEqual([
          [3, 'skipped'],
          [6, 'skipped'],
        ]);
        const rebuilt = await cli(['projections', 'rebuild']);
        expect(rebuilt.code, rebuilt.stderr).toBe(0);
        expect((await setAside()).map(({ position, attempts }) => [position, attempts])).toEqual([
          [3, 1],
          [6, 1],
        ]);
        write('skip', false);
        const plain = await cli(['projections', 'retry', 'balances']);
        expect(plain.stderr).toBe('projection "balances": 0 events applied\n');
        const all = await cli(['projections', 'retry', 'balances', '--skipped']);
        expect([all.code, all.stderr]).toEqual([0, 'projection "balances": 2 events applied\n']);
        // Applied out of order: skip gave up its stream's order (park is for when it matters).
        expect(await balances()).toEqual([
          { account: 'account-1', total: 60, last_version: 2 },
          { account: 'account-2', total: 3, last_version: 2 },
          { account: 'account-3', total: 100, last_version: 1 },
        ]);
      },
    );

    it(
      'stop, the default, still stops at the event; and a bad onError is refused',
      { timeout: 120_000 },
      async () => {
        writeFileSync(
          join(folder.dir, 'domain.mjs'),
          domain('park', true).replace("onError: 'park',", ''),
        );
        const run = await cli(['projections', 'run']);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('projection "balances" failed at event 3');
        writeFileSync(
          join(folder.dir, 'domain.mjs'),
          domain('park', true).replace("onError: 'park'", "onError: 'ignore'"),
        );
        const bad = await cli(['projections']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain(
          'projection "balances": onError must be one of stop, skip, park, got string "ignore"',
        );
      },
    );
  });
}
