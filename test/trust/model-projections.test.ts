import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { Projection } from '../../src/core/projection.js';
import { loadDomain } from '../../src/domain/load.js';
import type { EventStore, ReadStore } from '../../src/core/ports.js';
import { runProjections, type RunOptions } from '../../src/projections/runner.js';
import {
  openSqliteEventStore,
  openSqliteReadStore,
  type SqliteEventStore,
} from '../../src/store/sqlite/index.js';
import { appendToStream } from '../../src/store/sqlite/append.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { fcOptions, maxSteps, TEST_TIMEOUT_MS } from './model-helpers.js';

// The projection runner against a pure fold: random bank logs (with events no handler covers,
// in streams of their own), caught up with random batch sizes, stopped at random `until`
// positions, aborted after a random number of batches, rebuilt, restarted on fresh
// connections, raced by two runners at once, with more events appended while a run is under
// way; the read database in a file of its own or inside the store. After every step the
// account_summary table must equal a fold, computed here, of the log up to the checkpoint;
// the checkpoint must be where the run was asked to stop; at the end it must be the head.

const BANK = join(ROOT, 'fixtures', 'bank', 'eventlite.config.ts');
const ACCOUNTS = 4;

/** One event to append; resolved against the ledger into a valid bank event (or noise). */
interface Op {
  kind: 'open' | 'deposit' | 'withdraw' | 'noise';
  account: number;
  cents: number;
}

type Step =
  | { kind: 'append'; ops: Op[] }
  | {
      kind: 'run';
      batchSize: number;
      /** Stop this many events short of the head. */
      untilBack: number | undefined;
      /** Abort after this many batches (progress reports). */
      abortAfter: number | undefined;
      rebuild: boolean;
      /** Close the read connection and open a new one first (a restarted runner). */
      reopen: boolean;
      /** Appended by "another process" after the run's first batch. */
      appendDuring: Op[];
    }
  | { kind: 'race'; batchSizes: [number, number] };

interface SummaryRow {
  account_id: string;
  owner: string;
  balance: number;
  last_updated: string;
}

/** What account_summary must hold after the first `upTo` events of the log. */
async function foldSummary(store: EventStore, upTo: number): Promise<SummaryRow[]> {
  const rows = new Map<string, SummaryRow>();
  if (upTo === 0) return [];
  const events: RecordedEvent[] = [];
  for await (const page of store.readLog({ limit: upTo })) events.push(...page);
  for (const event of events) {
    const accountId = event.data.accountId as string;
    if (event.type === 'AccountOpened') {
      rows.set(accountId, {
        account_id: accountId,
        owner: event.data.owner as string,
        balance: 0,
        last_updated: event.recordedAt,
      });
    } else if (event.type === 'MoneyDeposited' || event.type === 'MoneyWithdrawn') {
      const row = rows.get(accountId);
      if (row) {
        rows.set(accountId, {
          ...row,
          balance: event.data.balance as number,
          last_updated: event.recordedAt,
        });
      }
    }
  }
  return [...rows.values()].sort((a, b) => (a.account_id < b.account_id ? -1 : 1));
}

/**
 * Commits here need not survive a power cut (the crash tests see to that), and a disk flush
 * per batch would make this test wait on the disk rather than exercise the runner.
 */
function fast(store: SqliteEventStore): SqliteEventStore {
  store.db.pragma('synchronous = OFF');
  return store;
}

class World {
  private readonly ledger = new Map<string, number>();
  private tick = 0;
  read: ReadStore;

  constructor(
    readonly store: SqliteEventStore,
    readonly readPath: string,
    private readonly storePath: string,
    readonly projections: readonly Projection[],
  ) {
    this.read = this.openRead();
  }

  /** A read store of its own connection; `scratch` turns off the disk flush per commit. */
  openRead(): ReadStore {
    const location = { readDbPath: this.readPath, storePath: this.storePath };
    return openSqliteReadStore(location, { mode: 'write', scratch: true })!;
  }

  /**
   * Appends ops as valid bank events: an account is opened once, never overdrawn. One commit
   * for them all (each append becomes a savepoint): a durable commit per event would cost
   * more than everything else here. Synchronous, on the store's connection, because it also
   * runs from inside a run's progress callback ("another process" appending meanwhile).
   */
  append(ops: readonly Op[]): void {
    this.store.db.transaction(() => ops.forEach((op) => this.appendOne(op)))();
  }

  private appendOne(op: Op): void {
    const accountId = `acc-${op.account}`;
    const cents = this.ledger.get(accountId);
    this.tick += 1;
    const options = { now: () => new Date(Date.UTC(2026, 10, 26, 10, 0, this.tick)) };
    if (op.kind === 'noise') {
      // No handler covers it: the runner must skip it and still move its checkpoint past it.
      appendToStream(this.store.db, `audit-${op.account}`, [{ type: 'Noted', data: {} }], options);
    } else if (cents === undefined) {
      const data = { accountId, owner: `owner ${op.account}` };
      appendToStream(
        this.store.db,
        `account-${accountId}`,
        [{ type: 'AccountOpened', data }],
        options,
      );
      this.ledger.set(accountId, 0);
    } else {
      const withdraw = op.kind === 'withdraw' && op.cents <= cents;
      const balance = withdraw ? cents - op.cents : cents + op.cents;
      const type = withdraw ? 'MoneyWithdrawn' : 'MoneyDeposited';
      const data = { accountId, amount: op.cents / 100, balance: balance / 100 };
      appendToStream(this.store.db, `account-${accountId}`, [{ type, data }], options);
      this.ledger.set(accountId, balance);
    }
  }

  async checkpoint(read: ReadStore = this.read): Promise<number> {
    return (await read.projectionRow('account_summary'))?.checkpoint ?? 0;
  }

  async summary(): Promise<SummaryRow[]> {
    const exists = await this.read.query(
      `SELECT 1 FROM sqlite_schema WHERE name = 'account_summary'`,
    );
    if (exists.rows.length === 0) return [];
    const summary = await this.read.query('SELECT * FROM account_summary ORDER BY account_id');
    return summary.rows as unknown as SummaryRow[];
  }

  options(extra: Partial<RunOptions> = {}): RunOptions {
    return { now: () => '2026-11-26T12:00:00.000Z', ...extra };
  }
}

async function runStep(world: World, step: Step): Promise<void> {
  if (step.kind === 'append') {
    world.append(step.ops);
    return;
  }
  if (step.kind === 'race') {
    // Two runners on one projection at once, each with its own connection: batches interleave
    // (each yields between batches) and the compare-and-set lets exactly one apply each.
    const other = world.openRead();
    try {
      const target = await world.store.head();
      const results = await Promise.all(
        [world.read, other].map((read, index) =>
          runProjections(
            { events: world.store, read },
            world.projections,
            world.options({ batchSize: step.batchSizes[index] }),
          ),
        ),
      );
      expect(results.map((result) => result[0]?.checkpoint)).toEqual([target, target]);
      expect(await world.checkpoint(other)).toBe(target);
    } finally {
      await other.close();
    }
    return;
  }
  if (step.reopen) {
    await world.read.close();
    world.read = world.openRead();
  }
  const before = await world.checkpoint();
  // A rebuild needs tables to rebuild: on a first run `rebuild` just creates them.
  const rebuilds =
    step.rebuild && (await world.read.projectionRow('account_summary')) !== undefined;
  const head = await world.store.head();
  const until = step.untilBack === undefined ? undefined : Math.max(1, head - step.untilBack);
  const target = Math.min(head, until ?? Infinity);
  const controller = new AbortController();
  let batches = 0;
  const onProgress = () => {
    batches += 1;
    if (batches === 1) world.append(step.appendDuring);
    if (step.abortAfter !== undefined && batches >= step.abortAfter) controller.abort();
  };
  if (step.abortAfter === 0) controller.abort();
  await runProjections(
    { events: world.store, read: world.read },
    world.projections,
    world.options({
      batchSize: step.batchSize,
      until,
      rebuild: step.rebuild,
      signal: controller.signal,
      onProgress,
    }),
  );
  const after = await world.checkpoint();
  // A run stops at the head as it was when it started (or at `until`), never past it. A
  // rebuild replays up to that head, then catches up to the head as it is by then, so events
  // appended during the replay are included; it starts over from event 1, so it may also move
  // the checkpoint back to `until`.
  const appendedDuring = batches > 0 && step.appendDuring.length > 0;
  const finalTarget =
    rebuilds && appendedDuring ? Math.min(await world.store.head(), until ?? Infinity) : target;
  if (!controller.signal.aborted) {
    expect(after).toBe(rebuilds ? finalTarget : Math.max(before, finalTarget));
  } else {
    expect(after).toBeLessThanOrEqual(Math.max(before, finalTarget));
    if (!rebuilds) expect(after).toBeGreaterThanOrEqual(before);
  }
}

// ---------------------------------------------------------------------------------------------

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('open', 'deposit', 'deposit', 'withdraw', 'noise'),
  account: fc.nat(ACCOUNTS - 1),
  cents: fc.integer({ min: 1, max: 100_000 }),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc
      .array(opArb, { minLength: 1, maxLength: 25 })
      .map((ops) => ({ kind: 'append' as const, ops })),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('run' as const),
      batchSize: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 5 }), weight: 3 },
        { arbitrary: fc.integer({ min: 6, max: 40 }), weight: 1 },
      ),
      untilBack: fc.option(fc.nat(12), { nil: undefined, freq: 3 }),
      abortAfter: fc.option(fc.nat(8), { nil: undefined, freq: 2 }),
      rebuild: fc.nat(4).map((n) => n === 0),
      reopen: fc.boolean(),
      appendDuring: fc.array(opArb, { maxLength: 4 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }))
      .map((batchSizes) => ({ kind: 'race' as const, batchSizes })),
    weight: 1,
  },
);

function describeStep(step: Step): string {
  return JSON.stringify(step);
}

let bank: Domain;
let folder: ReturnType<typeof tempDir>;

beforeAll(async () => {
  bank = await loadDomain(BANK);
  folder = tempDir('eventlite-model-projections-');
});
afterAll(() => folder.cleanup());

describe('the projection runner against a fold over the log', () => {
  let runs = 0;

  it(
    'after every batch size, stop, abort, rebuild, restart and race the tables equal the fold',
    async () => {
      const scenarios = fc.record({
        singleFile: fc.nat(3).map((n) => n === 0),
        // A log to start from, then anything.
        first: fc.array(opArb, { minLength: 5, maxLength: 30 }),
        steps: fc.array(stepArb, { minLength: 2, maxLength: maxSteps(12, 40) }),
      });
      await fc.assert(
        fc.asyncProperty(scenarios, async ({ singleFile, first, steps }) => {
          runs += 1;
          const dir = join(folder.dir, `run-${runs}`);
          mkdirSync(dir);
          const storePath = join(dir, 'store.db');
          const store = fast(openSqliteEventStore(storePath, { create: true }));
          const readPath = singleFile ? storePath : join(dir, 'store.read.db');
          const world = new World(store, readPath, storePath, bank.projections!);
          try {
            world.append(first);
            for (const step of steps) {
              await runStep(world, step);
              const checkpoint = await world.checkpoint();
              const where = `after ${describeStep(step)} (checkpoint ${checkpoint})`;
              expect(checkpoint, where).toBeLessThanOrEqual(await store.head());
              expect(await world.summary(), where).toEqual(await foldSummary(store, checkpoint));
              // Between steps no run is under way, aborted rebuilds included: none may be left
              // marked as rebuilding, or marked failed.
              const row = await world.read.projectionRow('account_summary');
              if (row) expect(row, where).toMatchObject({ status: 'ok', rebuildingPid: null });
            }
            // Finally caught up: the checkpoint is the head and the tables are the whole fold.
            await runProjections({ events: store, read: world.read }, bank.projections!, {
              ...world.options(),
            });
            const head = await store.head();
            expect(await world.checkpoint()).toBe(head);
            expect(await world.summary()).toEqual(await foldSummary(store, head));
            expect(await world.read.projectionRow('account_summary')).toMatchObject({
              status: 'ok',
              rebuildingPid: null,
            });
          } finally {
            await world.read.close();
            await store.close();
          }
        }),
        fcOptions(60, 600),
      );
    },
    TEST_TIMEOUT_MS,
  );
});
