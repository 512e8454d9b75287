import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeCommand, type ExecStep } from '../../src/app/exec.js';
import { StateCache } from '../../src/app/load-state.js';
import { replayLines } from '../../src/app/replay.js';
import type { Decider } from '../../src/core/decider.js';
import { defineDomain, type Domain } from '../../src/core/domain.js';
import { attachSourceHash } from '../../src/core/source-hash.js';
import { deciderForStream } from '../../src/domain/lookup.js';
import { snapshotPolicyOf } from '../../src/domain/snapshots.js';
import { validateDomain } from '../../src/domain/validate.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';

// The snapshot key and the JSON round-trip rule, and a process's kept states against another
// writer, through the use case on a SQLite store (the CLI suites run both backends).

const counter = (extra: Partial<Decider<any, any, any>> = {}): Domain =>
  defineDomain({
    deciders: {
      counter: {
        category: 'counter',
        streamId: (command: any) => command.data.id,
        initialState: () => ({ n: 0 }),
        evolve: (state: any) => ({ n: state.n + 1 }),
        decide: { Add: () => [{ type: 'Added', data: {} }] },
        ...extra,
      } as Decider<any, any, any>,
    },
  });
const policy = (domain: Domain) => snapshotPolicyOf(domain, deciderForStream(domain, 'counter-c'));

describe('the snapshot key: a decider definition of its own', () => {
  it('is the same for the same definition and changes with the version, evolve or source', () => {
    const key = policy(counter())!.key;
    expect(key).toMatch(/^counter@1:[0-9a-f]{16}$/);
    expect(policy(counter())!.key).toBe(key);
    expect(policy(counter({ version: 2 }))!.key).toMatch(/^counter@2:/);
    expect(policy(counter({ evolve: (state: any) => ({ n: state.n + 2 }) }))!.key).not.toBe(key);
    const loaded = counter();
    attachSourceHash(loaded, 'aaaa');
    const edited = counter();
    attachSourceHash(edited, 'bbbb');
    expect(new Set([key, policy(loaded)!.key, policy(edited)!.key]).size).toBe(3);
  });

  it('every N (default 100), or none with snapshot: false', () => {
    expect(policy(counter())!.every).toBe(100);
    expect(policy(counter({ snapshot: { every: 7 } }))!.every).toBe(7);
    expect(policy(counter({ snapshot: false }))).toBeUndefined();
  });
});

describe('a state is stored only when it reads back exactly', () => {
  const encode = policy(counter())!.encode;
  it.each([
    ['a Map', { m: new Map([[1, 2]]) }],
    ['a Date', { at: new Date(0) }],
    ['an undefined field', { a: 1, b: undefined }],
    ['NaN', { n: Number.NaN }],
    ['a class instance', new (class Balance {})()],
    ['undefined', undefined],
  ])('not %s', (_, state) => {
    expect(encode(state)).toBeUndefined();
  });

  it('a plain JSON state, and one that serialize/deserialize carry', () => {
    expect(encode({ n: 1, list: [1, 'a', null], nested: { ok: true } })).toBe(
      '{"n":1,"list":[1,"a",null],"nested":{"ok":true}}',
    );
    const dated = policy(
      counter({
        snapshot: {
          serialize: (state: any) => ({ at: state.at.toISOString() }),
          deserialize: (json: any) => ({ at: new Date(json.at) }),
        },
      }),
    )!;
    const text = dated.encode({ at: new Date(0) })!;
    expect(text).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(dated.decode(text)).toEqual({ at: new Date(0) });
  });
});

describe('validating version and snapshot', () => {
  it.each([
    [{ version: 0 }, 'decider "counter": version must be a positive integer, got number 0'],
    [
      { snapshot: { every: 1.5 } },
      'decider "counter": snapshot.every must be a positive integer, got number 1.5',
    ],
    [
      { snapshot: 'often' },
      'decider "counter": snapshot must be false or { every?, serialize?, deserialize? }, got string "often"',
    ],
    [
      { snapshot: { serialize: (state: unknown) => state } },
      'decider "counter": snapshot.serialize and snapshot.deserialize go together; give both or neither',
    ],
  ])('refuses %j', (extra, message) => {
    expect(() => validateDomain(counter(extra as never), 'm.ts')).toThrow(`m.ts: ${message}`);
  });
});

describe('kept states and another writer', () => {
  let folder: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let other: SqliteEventStore;
  beforeEach(() => {
    folder = tempDir();
    store = openSqliteEventStore(join(folder.dir, 'store.db'), { create: true });
    other = openSqliteEventStore(join(folder.dir, 'store.db'));
  });
  afterEach(async () => {
    await store.close();
    await other.close();
    folder.cleanup();
  });

  it('reads what another writer appended after the kept state, and still meets conflicts', async () => {
    const domain = counter({
      decide: { Add: (_: any, state: any) => [{ type: 'Added', data: { seen: state.n } }] },
    });
    const states = new StateCache();
    const add = (observe?: (step: ExecStep) => void) =>
      executeCommand(
        { store, domain },
        { type: 'Add', data: { id: 'c' } },
        {
          states,
          observe,
          backoff: async () => {},
        },
      );
    await add();
    await other.append('counter-c', [{ type: 'Added', data: {} }]);
    const steps: ExecStep[] = [];
    const second = await add((step) => steps.push(step));
    expect(steps[0]).toMatchObject({
      kind: 'read',
      version: 2,
      base: { source: 'memory', version: 1 },
    });
    expect(second.appended[0]!.data).toEqual({ seen: 2 });

    // Another writer between this read and this append: the append conflicts, and the retry
    // reads on from the kept state.
    let interfered = false;
    const third = await add((step) => {
      if (step.kind === 'decided' && !interfered) {
        interfered = true;
        void other.append('counter-c', [{ type: 'Added', data: {} }]);
      }
    });
    expect(third.attempts).toBe(2);
    expect(third.versionRead).toBe(4);
    expect(third.appended[0]!.data).toEqual({ seen: 4 });
  });

  it('replay folds each event of a stream once, not once per command after it', async () => {
    let evolved = 0;
    const domain = counter({
      snapshot: false,
      evolve: (state: any) => {
        evolved += 1;
        return { n: state.n + 1 };
      },
    });
    async function* lines() {
      for (let number = 1; number <= 20; number += 1) {
        yield { number, text: '{"command":"Add","data":{"id":"c"}}' };
      }
    }
    const steps = [];
    for await (const step of replayLines({ store, domain }, lines(), {
      source: 'scenario',
      keepGoing: false,
    })) {
      steps.push(step.kind);
    }
    expect(steps).toEqual(Array(20).fill('applied'));
    // Each command's events are folded once, after its append; a fold from the first event
    // per command would be 0 + 1 + … + 19 = 190 calls.
    expect(evolved).toBe(20);
  });
});
