import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../src/core/domain.js';
import type { JsonObject, RecordedEvent } from '../../src/core/events.js';
import type { Projection } from '../../src/core/projection.js';
import { loadDomain } from '../../src/app/load-domain.js';
import type { EventStore, ReadStore } from '../../src/core/ports.js';
import { runProjections, type RunOptions } from '../../src/projections/runner.js';
import {
  openSqliteEventStore,
  openSqliteReadStore,
  type SqliteEventStore,
} from '../../src/store/sqlite/index.js';
import { appendToStream } from '../../src/store/sqlite/append.js';
import { openPostgresEventStore, openPostgresReadStore } from '../../src/store/postgres/index.js';
import { backends } from '../helpers/backends.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { pgClient, resetPgDatabase } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import { fcOptions, maxSteps, TEST_TIMEOUT_MS } from './model-helpers.js';

// The projection runner against a pure fold: random bank logs (with events no handler covers,
// in streams of their own), caught up with random batch sizes, stopped at random `until`
// positions, aborted after a random number of batches, rebuilt, restarted on fresh
// connections, raced by two runners at once, with more events appended while a run is under
// way; the read database in a file of its own or inside the store (on PostgreSQL: the read
// schema in the store's database or in a database of its own). After every step the
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

/** The store and read store a scenario runs on, and the fold's inputs. */
interface World {
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  read: ReadStore;
  /** A read store of its own connection. */
  openRead(): ReadStore | Promise<ReadStore>;
  /** Appends ops as valid bank events (see SqliteWorld.append). */
  append(ops: readonly Op[]): void | Promise<void>;
  /**
   * Appends from inside a run's progress callback, as another process would: at once on
   * SQLite; on PostgreSQL the append is under way when the callback returns, and the runner
   * (given `runnerEvents`) sees it from its next look at the head on.
   */
  appendDuringRun(ops: readonly Op[]): void;
  /** The event store as the runner gets it. */
  runnerEvents(): EventStore;
  /** Waits for an append started during a run. */
  settle(): Promise<void>;
  checkpoint(read?: ReadStore): Promise<number>;
  summary(): Promise<SummaryRow[]>;
  options(extra?: Partial<RunOptions>): RunOptions;
  close(): Promise<void>;
}

class SqliteWorld implements World {
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

  appendDuringRun(ops: readonly Op[]): void {
    this.append(ops);
  }

  runnerEvents(): EventStore {
    return this.store;
  }

  async settle(): Promise<void> {}

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
    return runOptions(extra);
  }

  async close(): Promise<void> {
    await this.read.close();
    await this.store.close();
  }
}

function runOptions(extra: Partial<RunOptions> = {}): RunOptions {
  return { now: () => '2026-11-26T12:00:00.000Z', ...extra };
}

/** The bank event an op becomes, given the ledger of balances in cents (which it updates). */
function bankEvent(
  op: Op,
  ledger: Map<string, number>,
): { stream: string; type: string; data: JsonObject } {
  const accountId = `acc-${op.account}`;
  const cents = ledger.get(accountId);
  if (op.kind === 'noise') return { stream: `audit-${op.account}`, type: 'Noted', data: {} };
  if (cents === undefined) {
    ledger.set(accountId, 0);
    return {
      stream: `account-${accountId}`,
      type: 'AccountOpened',
      data: { accountId, owner: `owner ${op.account}` },
    };
  }
  const withdraw = op.kind === 'withdraw' && op.cents <= cents;
  const balance = withdraw ? cents - op.cents : cents + op.cents;
  ledger.set(accountId, balance);
  return {
    stream: `account-${accountId}`,
    type: withdraw ? 'MoneyWithdrawn' : 'MoneyDeposited',
    data: { accountId, amount: op.cents / 100, balance: balance / 100 },
  };
}

/**
 * PostgreSQL: the store and the read schema in one database (PostgreSQL's default), or the
 * read models in a database of their own. Events go through the EventStore port, one append
 * per event, as separate transactions of another client.
 */
class PgWorld implements World {
  private readonly ledger = new Map<string, number>();
  private tick = 0;
  private pending: Promise<void> | undefined;

  private constructor(
    readonly store: EventStore,
    readonly read: ReadStore,
    private readonly readUrl: string,
    readonly projections: readonly Projection[],
  ) {}

  static async open(storeUrl: string, readUrl: string, projections: readonly Projection[]) {
    const store = await openPostgresEventStore(storeUrl, { create: true });
    const read = await openPostgresReadStore(readUrl, { mode: 'write' });
    return new PgWorld(store, read!, readUrl, projections);
  }

  async openRead(): Promise<ReadStore> {
    return (await openPostgresReadStore(this.readUrl, { mode: 'write' }))!;
  }

  async append(ops: readonly Op[]): Promise<void> {
    for (const op of ops) {
      const { stream, type, data } = bankEvent(op, this.ledger);
      this.tick += 1;
      const at = new Date(Date.UTC(2026, 10, 26, 10, 0, this.tick));
      await this.store.append(stream, [{ type, data }], { now: () => at });
    }
  }

  appendDuringRun(ops: readonly Op[]): void {
    const previous = this.pending ?? Promise.resolve();
    this.pending = previous.then(() => this.append(ops));
  }

  runnerEvents(): EventStore {
    // Everything the runner asks of the store goes to the store itself; only the head waits
    // for an append started in a progress callback, so that the runner's next look at the head
    // (a rebuild's catch-up after its swap) sees it, as on SQLite.
    return new Proxy(this.store, {
      get: (target, property, receiver) => {
        if (property === 'head') {
          return async () => {
            await this.pending;
            return target.head();
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
  }

  async settle(): Promise<void> {
    await this.pending;
  }

  async checkpoint(read: ReadStore = this.read): Promise<number> {
    return (await read.projectionRow('account_summary'))?.checkpoint ?? 0;
  }

  async summary(): Promise<SummaryRow[]> {
    const tables = await this.read.tables();
    if (!tables.some((table) => table.name === 'account_summary')) return [];
    const summary = await this.read.query('SELECT * FROM account_summary ORDER BY account_id');
    return summary.rows as unknown as SummaryRow[];
  }

  options(extra: Partial<RunOptions> = {}): RunOptions {
    return runOptions(extra);
  }

  async close(): Promise<void> {
    await this.settle().catch(() => {});
    await this.read.close();
    await this.store.close();
  }
}

async function runStep(world: World, step: Step): Promise<void> {
  if (step.kind === 'append') {
    await world.append(step.ops);
    return;
  }
  if (step.kind === 'race') {
    // Two runners on one projection at once, each with its own connection: batches interleave
    // (each yields between batches) and the compare-and-set lets exactly one apply each.
    const other = await world.openRead();
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
    world.read = await world.openRead();
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
    if (batches === 1) world.appendDuringRun(step.appendDuring);
    if (step.abortAfter !== undefined && batches >= step.abortAfter) controller.abort();
  };
  if (step.abortAfter === 0) controller.abort();
  await runProjections(
    { events: world.runnerEvents(), read: world.read },
    world.projections,
    world.options({
      batchSize: step.batchSize,
      until,
      rebuild: step.rebuild,
      signal: controller.signal,
      onProgress,
    }),
  );
  await world.settle();
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

/** How each scenario gets its world; `singleFile` puts the read models inside the store. */
interface Worlds {
  open(run: number, singleFile: boolean): Promise<World>;
  numRuns: number;
  stressRuns: number;
}

function sqliteWorlds(): Worlds {
  return {
    async open(run, singleFile) {
      const dir = join(folder.dir, `run-${run}`);
      mkdirSync(dir);
      const storePath = join(dir, 'store.db');
      const store = fast(openSqliteEventStore(storePath, { create: true }));
      const readPath = singleFile ? storePath : join(dir, 'store.read.db');
      return new SqliteWorld(store, readPath, storePath, bank.projections!);
    },
    numRuns: 60,
    stressRuns: 600,
  };
}

/**
 * One database for the store (and the read schema, PostgreSQL's default) and one for read
 * models of their own, both emptied before each scenario (a new database costs a second).
 * On PostgreSQL `singleFile` (one scenario in four) puts the read models in the other
 * database instead: the read schema inside the store's database is the default there.
 */
async function pgWorlds(cleanups: (() => Promise<void>)[]): Promise<Worlds> {
  const [storeDb, readDb] = [await freshPgDatabase(), await freshPgDatabase()];
  const [storeAdmin, readAdmin] = [await pgClient(storeDb.url), await pgClient(readDb.url)];
  cleanups.push(
    () => storeAdmin.end(),
    () => readAdmin.end(),
    storeDb.drop,
    readDb.drop,
  );
  return {
    async open(_run, singleFile) {
      await resetPgDatabase(storeAdmin);
      await resetPgDatabase(readAdmin);
      const readUrl = singleFile ? readDb.url : storeDb.url;
      return PgWorld.open(storeDb.url, readUrl, bank.projections!);
    },
    // A scenario costs a second or more of round trips here, against a few ms in files: 12
    // scenarios (the first ones of the same seed), to keep the default suite fast.
    numRuns: 12,
    stressRuns: 150,
  };
}

for (const backend of backends()) {
  describe(`the projection runner against a fold over the log (${backend.name})`, () => {
    let worlds: Worlds;
    const cleanups: (() => Promise<void>)[] = [];
    beforeAll(async () => {
      worlds = backend.name === 'sqlite' ? sqliteWorlds() : await pgWorlds(cleanups);
    });
    afterAll(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    it(
      'after every batch size, stop, abort, rebuild, restart and race the tables equal the fold',
      async () => {
        let runs = 0;
        const scenarios = fc.record({
          singleFile: fc.nat(3).map((n) => n === 0),
          // A log to start from, then anything.
          first: fc.array(opArb, { minLength: 5, maxLength: 30 }),
          steps: fc.array(stepArb, { minLength: 2, maxLength: maxSteps(12, 40) }),
        });
        await fc.assert(
          fc.asyncProperty(scenarios, async ({ singleFile, first, steps }) => {
            runs += 1;
            const world = await worlds.open(runs, singleFile);
            const store = world.store;
            try {
              await world.append(first);
              for (const step of steps) {
                await runStep(world, step);
                const checkpoint = await world.checkpoint();
                const where = `after ${describeStep(step)} (checkpoint ${checkpoint})`;
                expect(checkpoint, where).toBeLessThanOrEqual(await store.head());
                expect(await world.summary(), where).toEqual(await foldSummary(store, checkpoint));
                // Between steps no run is under way, aborted rebuilds included: none may be
                // left marked as rebuilding, or marked failed.
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
              await world.close();
            }
          }),
          fcOptions(worlds.numRuns, worlds.stressRuns),
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
