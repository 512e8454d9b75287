import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPgUrl, runOn, withPg } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';

// Snapshots, through the CLI in process, once per backend. Some tests write a wrong state
// into a stored snapshot on purpose: that a command then shows the wrong state proves it
// read the snapshot, and that it shows the right one proves it did not.

const counterDomain = (options: { every?: number; note?: string } = {}) => `
import { defineDomain } from 'eventlite';
// ${options.note ?? 'first edition'}
export default defineDomain({
  deciders: {
    counter: {
      category: 'counter',
      snapshot: { every: ${options.every ?? 3} },
      streamId: (command) => command.data.id,
      initialState: () => ({ n: 0, total: 0 }),
      evolve: (state, event) => ({ n: state.n + 1, total: state.total + event.data.amount }),
      decide: { Add: (command) => [{ type: 'Added', data: { amount: command.data.amount } }] },
    },
  },
});
`;

describe.each(backends())('snapshots on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });
  const add = async (amount: number, extra: string[] = []) => {
    const result = await cli(['exec', 'Add', JSON.stringify({ id: 'c', amount }), ...extra]);
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    return result;
  };
  const stateOf = async (...args: string[]) => {
    const result = await cli(['state', 'counter-c', '--format', 'json', ...args]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as { n: number; total: number };
  };

  /** Runs SQL on the store's snapshots table, whichever backend holds it. */
  async function onSnapshots(sql: (table: string) => string): Promise<unknown[]> {
    if (isPgUrl(store.db)) {
      return withPg(
        store.db,
        async (client) => (await client.query(sql('eventlite.snapshots'))).rows,
      );
    }
    const db = new Database(join(folder.dir, store.db));
    try {
      const statement = db.prepare(sql('eventlite_snapshots'));
      return statement.reader ? statement.all() : (statement.run(), []);
    } finally {
      db.close();
    }
  }
  const storedVersions = async () =>
    (await onSnapshots((table) => `SELECT version FROM ${table} ORDER BY version`)).map(
      (row) => (row as { version: number }).version,
    );
  const poison = (version: number) =>
    onSnapshots(
      (table) => `UPDATE ${table} SET state = '{"n":-1,"total":-1000}' WHERE version = ${version}`,
    );

  beforeEach(async () => {
    folder = tempDir();
    writeFileSync(join(folder.dir, 'eventlite.config.ts'), counterDomain());
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('exec stores one every N events, after its append, and the next exec folds from it', async () => {
    const third = await (async () => {
      await add(1);
      await add(2);
      return add(3, ['--trace']);
    })();
    expect(third.stderr).toContain('read    counter-c: 2 events, version 2\n');
    expect(third.stderr).toContain(
      'append  counter-c expecting version 2 → version 3, last at position 3\nsnapshot counter-c at version 3 stored\n',
    );
    expect(await storedVersions()).toEqual([3]);
    const fourth = await add(4, ['--trace']);
    expect(fourth.stderr).toContain(
      'read    counter-c: 0 events after the snapshot at version 3, version 3\nfold    → state {"n":3,"total":6}\n',
    );
    expect(fourth.stderr).not.toContain('snapshot counter-c');
    for (const amount of [5, 6]) await add(amount);
    expect(await storedVersions()).toEqual([3, 6]);
    expect(await stateOf()).toEqual({ n: 6, total: 21 });
  });

  it('state and state --at fold from the nearest snapshot at or below the version', async () => {
    for (const amount of [1, 2, 3, 4, 5, 6, 7]) await add(amount);
    expect(await stateOf()).toEqual({ n: 7, total: 28 });
    await poison(3);
    await poison(6);
    // From the snapshot at 6 plus event 7; from 3 plus 4 and 5; below 3 there is none.
    expect(await stateOf()).toEqual({ n: 0, total: -993 });
    expect(await stateOf('--at', '6')).toEqual({ n: -1, total: -1000 });
    expect(await stateOf('--at', '5')).toEqual({ n: 1, total: -991 });
    expect(await stateOf('--at', '2')).toEqual({ n: 2, total: 3 });
    expect(await stateOf('--at', '0')).toEqual({ n: 0, total: 0 });
  });

  it('a changed decider never reads the snapshots of the one before', async () => {
    for (const amount of [1, 2, 3, 4]) await add(amount);
    await poison(3);
    expect(await stateOf()).toEqual({ n: 0, total: -996 });
    // Any edit to the module's files, even a comment, makes it another decider for snapshots.
    writeFileSync(
      join(folder.dir, 'eventlite.config.ts'),
      counterDomain({ note: 'second edition' }),
    );
    expect(await stateOf()).toEqual({ n: 4, total: 10 });
    const next = await add(5, ['--trace']);
    expect(next.stderr).toContain('read    counter-c: 4 events, version 4\n');
    expect(await stateOf()).toEqual({ n: 5, total: 15 });
  });

  it('deleting every snapshot changes no output: state, export, verify, the next exec', async () => {
    for (const amount of [1, 2, 3, 4, 5, 6, 7]) await add(amount);
    const outputs = async () => ({
      state: await stateOf(),
      at: [await stateOf('--at', '3'), await stateOf('--at', '5')],
      export: (await cli(['export'])).stdout,
      verify: (await cli(['verify', '--format', 'json'])).stdout,
      dryRun: (
        await cli([
          'exec',
          'Add',
          '{"id":"c","amount":8}',
          '--dry-run',
          '--correlation-id',
          'x',
          '--format',
          'json',
        ])
      ).stdout,
    });
    expect(await storedVersions()).toEqual([3, 6]);
    const withSnapshots = await outputs();
    await onSnapshots((table) => `DELETE FROM ${table}`);
    expect(await storedVersions()).toEqual([]);
    expect(await outputs()).toEqual(withSnapshots);
    expect(withSnapshots.state).toEqual({ n: 7, total: 28 });
    expect(withSnapshots.export.split('\n').filter(Boolean)).toHaveLength(7);
    expect(withSnapshots.dryRun).toContain('"version":8');
  });

  it('a state that does not read back the same from JSON is not snapshotted', async () => {
    writeFileSync(
      join(folder.dir, 'eventlite.config.ts'),
      counterDomain().replace(
        'total: state.total + event.data.amount }',
        'total: state.total + event.data.amount, at: new Date(0) }',
      ),
    );
    for (const amount of [1, 2]) await add(amount);
    const third = await add(3, ['--trace']);
    expect(third.stderr).toContain(
      'snapshot counter-c at version 3 not taken: the state does not read back the same from JSON\n',
    );
    expect(await storedVersions()).toEqual([]);
    expect((await stateOf()).total).toBe(6);
  });
});
