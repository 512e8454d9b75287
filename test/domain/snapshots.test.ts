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

  it('a command on a kept state that is current appends without reading the stream', async () => {
    const states = new StateCache();
    const domain = counter();
    const add = () =>
      executeCommand({ store, domain }, { type: 'Add', data: { id: 'c' } }, { states });
    await add();
    let reads = 0;
    const readStream = store.readStream.bind(store);
    store.readStream = (...args) => {
      reads += 1;
      return readStream(...args);
    };
    const steps: ExecStep['kind'][] = [];
    const second = await executeCommand(
      { store, domain },
      { type: 'Add', data: { id: 'c' } },
      { states, observe: (step) => steps.push(step.kind) },
    );
    expect(reads).toBe(0);
    expect(steps).toEqual(['kept', 'state', 'deciding', 'decided', 'appended']);
    expect(second).toMatchObject({ versionRead: 1, attempts: 1 });
    expect(second.appended.map((event) => event.version)).toEqual([2]);
  });

  it('sees what another writer appended after the kept state: the append finds it, and reads on', async () => {
    const domain = counter({
      decide: { Add: (_: any, state: any) => [{ type: 'Added', data: { seen: state.n } }] },
    });
    const states = new StateCache();
    const add = (observe?: (step: ExecStep) => void) =>
      executeCommand(
        { store, domain },
        { type: 'Add', data: { id: 'c' } },
        { states, observe, maxAttempts: 1 },
      );
    await add();
    await other.append('counter-c', [{ type: 'Added', data: {} }]);
    const steps: ExecStep[] = [];
    const second = await add((step) => steps.push(step));
    expect(steps.map((step) => step.kind)).toEqual([
      'kept',
      'state',
      'deciding',
      'decided',
      'recheck',
      'read',
      'state',
      'deciding',
      'decided',
      'appended',
    ]);
    expect(steps[4]).toEqual({ kind: 'recheck', stream: 'counter-c', reason: 'moved on' });
    expect(steps[5]).toMatchObject({
      kind: 'read',
      version: 2,
      base: { source: 'memory', version: 1 },
    });
    // Even with --max-attempts 1: deciding on a kept state is not an attempt.
    expect(second).toMatchObject({ versionRead: 2, attempts: 1 });
    expect(second.appended[0]!.data).toEqual({ seen: 2 });

    // Another writer between the read and the append: a conflict like any other, counted.
    let interfered = 0;
    const third = await executeCommand(
      { store, domain },
      { type: 'Add', data: { id: 'c' } },
      {
        states,
        backoff: async () => {},
        observe: (step) => {
          if (step.kind === 'decided' && interfered < 2) {
            interfered += 1;
            void other.append('counter-c', [{ type: 'Added', data: {} }]);
          }
        },
      },
    );
    expect(third.attempts).toBe(2);
    expect(third.versionRead).toBe(5);
    expect(third.appended[0]!.data).toEqual({ seen: 5 });
  });

  it('a rejection or a decision of no events on a kept state is made again on the stream', async () => {
    const domain = counter({
      decide: {
        Add: (command: any, state: any) => {
          if (command.data.at !== undefined && state.n < command.data.at) {
            throw new Error(`only at ${state.n}`);
          }
          return command.data.quiet && state.n < 4 ? [] : [{ type: 'Added', data: {} }];
        },
      },
    });
    const states = new StateCache();
    const run = (data: object, observe?: (step: ExecStep) => void) =>
      executeCommand(
        { store, domain },
        { type: 'Add', data: { id: 'c', ...data } },
        { states, observe },
      );
    await run({});
    await other.append('counter-c', [{ type: 'Added', data: {} }]);
    const rejected: ExecStep[] = [];
    const accepted = await run({ at: 2 }, (step) => rejected.push(step));
    expect(rejected.filter((step) => step.kind === 'recheck')).toEqual([
      { kind: 'recheck', stream: 'counter-c', reason: 'failed' },
    ]);
    expect(accepted.appended.map((event) => event.version)).toEqual([3]);

    await other.append('counter-c', [{ type: 'Added', data: {} }]);
    const quiet: ExecStep[] = [];
    const decided = await run({ quiet: true }, (step) => quiet.push(step));
    expect(quiet.filter((step) => step.kind === 'recheck')).toEqual([
      { kind: 'recheck', stream: 'counter-c', reason: 'no events' },
    ]);
    expect(decided.appended.map((event) => event.version)).toEqual([5]);
    // A rejection that holds on the stream is the command's outcome.
    await expect(run({ at: 99 })).rejects.toThrow('only at 5');
  });

  it('replay: a raw event line leaves the kept state of its stream to be read on from', async () => {
    const domain = counter({
      decide: { Add: (_: any, state: any) => [{ type: 'Added', data: { seen: state.n } }] },
    });
    async function* lines() {
      yield { number: 1, text: '{"command":"Add","data":{"id":"c"}}' };
      yield { number: 2, text: '{"stream":"counter-c","type":"Added","data":{}}' };
      yield { number: 3, text: '{"command":"Add","data":{"id":"c"}}' };
    }
    let appends = 0;
    const append = store.append.bind(store);
    store.append = (...args) => {
      appends += 1;
      return append(...args);
    };
    const seen = [];
    for await (const step of replayLines({ store, domain }, lines(), {
      source: 'scenario',
      keepGoing: false,
    })) {
      if (step.kind === 'applied') seen.push(...step.events.map((event) => event.data));
    }
    expect(seen).toEqual([{ seen: 0 }, {}, { seen: 2 }]);
    // Line 3 read on from its kept state: no append on a state known to be behind.
    expect(appends).toBe(3);
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
