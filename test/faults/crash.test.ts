import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backends, type Backend } from '../helpers/backends.js';
import { startCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import {
  bankStore,
  cliLog,
  expectContiguous,
  expectVerified,
  foldAccountSummary,
  killAfter,
  killWhen,
  seededRandom,
  sized,
  STRESS_TIMEOUT,
  trustSeed,
  type BankStore,
  type LoggedEvent,
} from './process-helpers.js';

// SIGKILL at random moments, many times, against the commands that write: a replay of a long
// bank scenario, and a mix of append --file, import, projections run and projections rebuild
// (with the read models beside the store, and inside it). After every kill the store verifies
// and holds whole batches only, and the read model holds exactly the events up to its
// checkpoint; finishing the work converges on what an uninterrupted run gives.
// test/e2e/store-crash.test.ts already kills lone imports and appends, and
// test/e2e/projections-*.test.ts lone runners and rebuilds; this file kills them in one store,
// interleaved, and adds replay.
//
// Only the commands killed are spawned; the reference run, the checks between kills and the
// finishing work run the CLI in process (same output, no Node start-up each).
//
// On SQLite and PostgreSQL alike (SIGKILL of the client process; the server rolls back what
// it had not committed); the read models inside the store file are SQLite's alone.
//
// Sizes: EVENTLITE_TRUST_REPLAY_LINES, EVENTLITE_TRUST_REPLAY_KILLS, EVENTLITE_TRUST_BATCH,
// EVENTLITE_TRUST_STEPS, EVENTLITE_TRUST_KILLS, EVENTLITE_TRUST_SINGLE_FILE_KILLS (bigger with
// EVENTLITE_STRESS=1); EVENTLITE_TRUST_SEED repeats a run's choices (timing still varies).

interface Sizes {
  replayLines: number;
  replayKills: number;
  batch: number;
  steps: number;
  kills: number;
  /** A first guess at how long a command lives when left alone, in ms (then measured). */
  lifetimeMs: number;
}

const SIZES: Record<Backend['name'], Sizes> = {
  sqlite: {
    replayLines: sized('EVENTLITE_TRUST_REPLAY_LINES', 150, 1500),
    replayKills: sized('EVENTLITE_TRUST_REPLAY_KILLS', 3, 20),
    batch: sized('EVENTLITE_TRUST_BATCH', 1500, 20_000),
    steps: sized('EVENTLITE_TRUST_STEPS', 3, 8),
    kills: sized('EVENTLITE_TRUST_KILLS', 4, 40),
    lifetimeMs: 300,
  },
  // Every command costs more on PostgreSQL (a connection, more round trips: a replayed line
  // is several), so the default run is smaller there: two write steps (an append --file and
  // an import). The variables and a stress run size both alike. A command also takes longer
  // to start (it connects first): the first guess at its life is longer, so that the first
  // kills land in its work rather than always in its start-up.
  postgres: {
    replayLines: sized('EVENTLITE_TRUST_REPLAY_LINES', 60, 1500),
    replayKills: sized('EVENTLITE_TRUST_REPLAY_KILLS', 2, 20),
    batch: sized('EVENTLITE_TRUST_BATCH', 500, 20_000),
    steps: sized('EVENTLITE_TRUST_STEPS', 2, 8),
    kills: sized('EVENTLITE_TRUST_KILLS', 3, 40),
    lifetimeMs: 2000,
  },
};
const SINGLE_FILE_KILLS = sized('EVENTLITE_TRUST_SINGLE_FILE_KILLS', 2, 20);

const CORRELATION = 'trust-crash-replay';

const stores: BankStore[] = [];
/** Set when a test ends, so that a loop still running (after a timeout) stops spawning. */
let ended = false;
beforeEach(() => {
  ended = false;
});
afterEach(async () => {
  ended = true;
  for (const store of stores.splice(0)) await store.cleanup();
});
/** A bank folder with a store on `backend` (see bankStore), removed when the test ends. */
async function newBankStore(backend: Backend, readDb?: string): Promise<BankStore> {
  const store = await bankStore(backend, readDb);
  stores.push(store);
  return store;
}

/** An event as the test expects it, before the store gives it a position and a version. */
interface Expected {
  stream: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  id?: string;
  recordedAt?: string;
}

/** Gives expected events their positions and versions, as any store must. */
function placed(events: readonly Expected[]): (Expected & { position: number; version: number })[] {
  const versions = new Map<string, number>();
  return events.map((event, index) => {
    const version = (versions.get(event.stream) ?? 0) + 1;
    versions.set(event.stream, version);
    return { ...event, position: index + 1, version };
  });
}

/** The fields of stored events that `expected` names (ids and times only when it has them). */
function comparable(stored: readonly LoggedEvent[], expected: readonly Expected[]) {
  return stored.map((event, index) => {
    const want = expected[index];
    return {
      position: event.position,
      stream: event.stream,
      version: event.version,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      ...(want?.id === undefined ? {} : { id: event.id }),
      ...(want?.recordedAt === undefined ? {} : { recordedAt: event.recordedAt }),
    };
  });
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

interface ScenarioLine {
  text: string;
  /** What the line appends, or null when the bank refuses it. */
  event: Expected | null;
}

/**
 * A long bank story with its expected outcome line by line: opens, deposits and withdrawals in
 * cents, refusals (an account opened twice, never opened, overdrawn) and raw event lines.
 * Every line appends one event or none, in its own transaction.
 */
function bankScenario(lines: number, random: () => number): ScenarioLine[] {
  const balances = new Map<string, number>();
  const scenario: ScenarioLine[] = [];
  const command = (name: string, data: object) => JSON.stringify({ command: name, data });
  const metadata = (name: string) => ({ command: name, correlationId: CORRELATION });
  for (let n = 1; n <= lines; n += 1) {
    const roll = random();
    const account = Math.floor(random() * 10);
    const accountId = `acc-${account}`;
    const stream = `account-${accountId}`;
    const balance = balances.get(accountId);
    if ((balance === undefined && roll < 0.85) || roll < 0.03) {
      const data = { accountId, owner: `Owner ${account}` };
      scenario.push({
        text: command('OpenAccount', data),
        event:
          balance === undefined
            ? { stream, type: 'AccountOpened', data, metadata: metadata('OpenAccount') }
            : null,
      });
      balances.set(accountId, balance ?? 0);
    } else if (roll < 0.08) {
      const raw = { stream: `audit-${account % 3}`, type: 'Audited', data: { line: n } };
      scenario.push({
        text: JSON.stringify(raw),
        event: { ...raw, metadata: { correlationId: CORRELATION } },
      });
    } else if (roll < 0.55) {
      const amount = (1 + Math.floor(random() * 40_000)) / 100;
      const after = balance === undefined ? 0 : cents(balance + amount);
      scenario.push({
        text: command('Deposit', { accountId, amount }),
        event:
          balance === undefined
            ? null
            : {
                stream,
                type: 'MoneyDeposited',
                data: { accountId, amount, balance: after },
                metadata: metadata('Deposit'),
              },
      });
      if (balance !== undefined) balances.set(accountId, after);
    } else {
      const amount = (1 + Math.floor(random() * 30_000)) / 100;
      const allowed = balance !== undefined && amount <= balance;
      const after = allowed ? cents(balance - amount) : 0;
      scenario.push({
        text: command('Withdraw', { accountId, amount }),
        event: allowed
          ? {
              stream,
              type: 'MoneyWithdrawn',
              data: { accountId, amount, balance: after },
              metadata: metadata('Withdraw'),
            }
          : null,
      });
      if (allowed) balances.set(accountId, after);
    }
  }
  return scenario;
}

function replayArgs(file: string): string[] {
  return ['replay', file, '--keep-going', '--correlation-id', CORRELATION, '--format', 'ndjson'];
}

for (const backend of backends()) {
  const sizes = SIZES[backend.name];
  describe(`SIGKILL at random moments (${backend.name})`, { timeout: STRESS_TIMEOUT }, () => {
    it('a replay killed anywhere leaves a prefix of the uninterrupted run; replaying the rest from the right line gives the same log', async () => {
      await killReplays(backend, sizes);
    });

    it('append --file, import, projections run and rebuild, killed at random in one store: whole batches only, the read model matches its checkpoint, and finishing converges', async () => {
      await killAnything(await newBankStore(backend, 'eventlite.read.db'), sizes, sizes.kills);
    });

    // Read models inside the store are a SQLite file's feature: PostgreSQL keeps them in a
    // schema of the store's database, which the test above already covers.
    if (backend.name === 'sqlite') {
      it('the same with the read models in the store file itself', async () => {
        await killAnything(await newBankStore(backend, 'eventlite.db'), sizes, SINGLE_FILE_KILLS);
      });
    }
  });
}

/**
 * Replays a long bank scenario whole (the reference), then again in another store, killed at
 * random and resumed from the first line not yet done, until it finishes.
 */
async function killReplays(backend: Backend, sizes: Sizes): Promise<void> {
  const seed = trustSeed();
  const random = seededRandom(seed);
  const scenario = bankScenario(sizes.replayLines, random);
  const expected = scenario.flatMap((line) => (line.event ? [line.event] : []));
  const rejected = scenario.length - expected.length;
  const scenarioText = scenario.map((line) => line.text).join('\n') + '\n';

  // The uninterrupted run: the reference, and a check on the test's own model of the bank.
  const reference = await newBankStore(backend);
  writeFileSync(join(reference.dir, 'long.ndjson'), scenarioText);
  const whole = await runInProcess(replayArgs('long.ndjson'), {
    cwd: reference.dir,
    env: reference.env,
  });
  expect(whole.code, whole.stderr).toBe(0);
  expect(whole.stderr).toContain(
    `replayed long.ndjson: ${scenario.length - rejected} applied, ${rejected} rejected, ${expected.length} events appended`,
  );
  const referenceLog = await cliLog(reference.dir, reference.env);
  expect(comparable(referenceLog, expected), `seed ${seed}`).toEqual(placed(expected));

  // Killed runs. Commands are not idempotent (a Deposit replayed twice deposits twice), so a
  // rerun of the whole file cannot converge; what can is a replay of the lines after the
  // last line whose event is stored. Each line is one transaction, so the log after a kill
  // must be exactly the first k events of the uninterrupted run, and lines [0, resume) are
  // done. Refused lines after `resume` are replayed again and refused again, as they were.
  const store = await newBankStore(backend);
  const { dir, env } = store;
  const lineOfEvent = scenario.flatMap((line, index) => (line.event ? [index] : []));
  const placedBefore = (line: number) => scenario.slice(0, line).filter((l) => l.event).length;
  let resume = 0;
  let kills = 0;
  let killedMidway = 0;
  for (let attempt = 0; attempt < sizes.replayKills * 3 + 5 && !ended; attempt += 1) {
    const rest = scenario.slice(resume);
    writeFileSync(join(dir, 'rest.ndjson'), rest.map((line) => line.text).join('\n') + '\n');
    const child = startCli(replayArgs('rest.ndjson'), { cwd: dir, env });
    // Replay prints each line's events as they land, so its stdout tells how far it got:
    // kill once a random number of them is out, a random few ms later (deciding, appending
    // or printing the next line), or at a random moment of start-up.
    let printed = 0;
    child.stdout!.on('data', (chunk: unknown) => {
      printed += String(chunk).split('\n').length - 1;
    });
    // The kill point is drawn from the first two thirds of what is left: on a busy machine
    // the polling here can lag the child by tens of milliseconds, and a point near the end
    // let the replay finish first, ending the loop without a kill mid-way. Later attempts
    // resume further on, so the end of the file is still killed in.
    const remaining = expected.length - placedBefore(resume);
    const target = Math.floor(random() * ((remaining * 2) / 3));
    const startedAt = Date.now();
    const startUpMs = random() * 400;
    let reachedAt: number | undefined;
    const extraMs = random() * 8;
    const outcome = await killWhen(child, () => {
      // Kills go on past the count until one has landed mid-way, which the test requires.
      if (kills >= sizes.replayKills && killedMidway >= 1) return false;
      if (target === 0) return Date.now() - startedAt >= startUpMs;
      if (printed >= target) reachedAt ??= Date.now();
      return reachedAt !== undefined && Date.now() - reachedAt >= extraMs;
    });
    await store.settled();
    const log = await store.storedLog();
    const context = `seed ${seed}, attempt ${attempt}, ${log.length} events`;
    expect(comparable(log, expected), context).toEqual(placed(expected).slice(0, log.length));
    await expectVerified(dir, context, env);
    if (!outcome.killed) {
      expect(outcome.code, outcome.stderr).toBe(0);
      break;
    }
    kills += 1;
    if (log.length > 0 && log.length < expected.length && lineOfEvent[log.length - 1]! >= resume)
      killedMidway += 1;
    resume = log.length === 0 ? 0 : lineOfEvent[log.length - 1]! + 1;
  }
  expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(Math.min(sizes.replayKills, 2));
  expect(killedMidway, `seed ${seed}`).toBeGreaterThanOrEqual(1);

  const final = await cliLog(dir, env);
  expect(comparable(final, expected), `seed ${seed}`).toEqual(placed(expected));
  expectContiguous(final);
  const run = await runInProcess(['projections', 'run', '--quiet'], { cwd: dir, env });
  expect(run.code, run.stderr).toBe(0);
  expect(await store.readModel()).toEqual({
    checkpoint: final.length,
    rows: foldAccountSummary(final),
  });
}

/**
 * Kills writes, runs and rebuilds at random moments in one store (`readDb` beside it or the
 * store file itself), checking after each kill, then finishes the work and checks convergence.
 */
async function killAnything(store: BankStore, sizes: Sizes, killTarget: number): Promise<void> {
  const seed = trustSeed();
  const random = seededRandom(seed);
  const { dir, env } = store;
  const cli = (args: string[]) => runInProcess(args, { cwd: dir, env });
  const { steps: STEPS, batch: BATCH } = sizes;
  const plan = writePlan(dir, STEPS, BATCH);
  const expected = plan.flatMap((step) => step.events);
  const stepOfId = new Map(plan.flatMap((step, index) => step.events.map((e) => [e.id!, index])));

  const operations = {
    write: () => plan[next]?.args ?? plan[Math.floor(random() * plan.length)]!.args,
    run: () => ['projections', 'run', '--batch-size', '250', '--quiet'],
    rebuild: () => ['projections', 'rebuild', '--batch-size', '250', '--quiet'],
  };
  type Operation = keyof typeof operations;
  const kinds = Object.keys(operations) as Operation[];
  const killsOf: Record<Operation, number> = { write: 0, run: 0, rebuild: 0 };
  // How long each kind runs when left alone (a running average): kills land anywhere in its
  // life, so in start-up, reading, writing or committing alike.
  const first = sizes.lifetimeMs;
  const lifetime: Record<Operation, number> = { write: first, run: first, rebuild: first };
  const unfinished = () =>
    kills < killTarget || next < plan.length || kinds.some((kind) => killsOf[kind] === 0);
  let next = 0;
  let kills = 0;
  let order: Operation[] = [];
  for (let round = 0; round < killTarget * 4 + STEPS * 2 && unfinished() && !ended; round += 1) {
    // Every kind once per cycle, in a random order.
    if (order.length === 0) order = [...kinds].sort(() => random() - 0.5);
    const kind = order.pop()!;
    const args = operations[kind]();
    const startedAt = Date.now();
    // Once a kind has been killed, one run in four of it (and every run once the kills are
    // done) is left to finish; until then, kills come early enough to land.
    const enoughKills = kills >= killTarget && kinds.every((each) => killsOf[each] > 0);
    const spared = enoughKills || (killsOf[kind] > 0 && random() < 0.25);
    const reach = killsOf[kind] === 0 ? 0.8 : 1.1;
    const delay = spared ? Infinity : random() * reach * lifetime[kind];
    const outcome = await killAfter(startCli(args, { cwd: dir, env }), delay);
    const context = `seed ${seed}, round ${round}: ${args.join(' ')}`;
    if (outcome.killed) {
      kills += 1;
      killsOf[kind] += 1;
    } else {
      expect(outcome.code, `${context}: ${outcome.stderr}`).toBe(0);
      lifetime[kind] = (lifetime[kind] + Date.now() - startedAt) / 2;
    }
    await store.settled();
    await expectVerified(dir, context, env);

    // No partial batch: each step's events are all stored or none are, and the steps stored
    // are the first ones of the plan, each whole, in order.
    const log = await store.storedLog();
    const perStep = plan.map(() => 0);
    for (const event of log) perStep[stepOfId.get(event.id)!]! += 1;
    const done = perStep.findIndex((count) => count === 0);
    next = done === -1 ? plan.length : done;
    expect(perStep, context).toEqual(plan.map((step, i) => (i < next ? step.events.length : 0)));
    const expectedPrefix = plan.slice(0, next).flatMap((step) => step.events);
    expect(comparable(log, expectedPrefix), context).toEqual(placed(expectedPrefix));

    // The read model holds exactly the events up to its checkpoint, never part of a batch,
    // and a killed rebuild leaves the old complete tables.
    const model = await store.readModel();
    expect(model.checkpoint, context).toBeLessThanOrEqual(log.length);
    expect(model.rows, context).toEqual(foldAccountSummary(log.slice(0, model.checkpoint)));
  }
  expect(next, `seed ${seed}`).toBe(plan.length);
  expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(killTarget);
  expect(Object.values(killsOf), `seed ${seed}: ${JSON.stringify(killsOf)}`).not.toContain(0);

  // Finishing: every step again is a safe retry that adds nothing; the log is the one an
  // uninterrupted run writes; the read model equals a clean build, also after a rebuild,
  // which removes the scratch files killed rebuilds left behind.
  for (const step of plan) {
    const again = await cli(step.args);
    expect(again.code, again.stderr).toBe(0);
  }
  const final = await cliLog(dir, env);
  expect(comparable(final, expected)).toEqual(placed(expected));
  const run = await cli(['projections', 'run', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  const other = await store.otherReadModels();
  const clean = await cli(['--read-db', other.readDb, 'projections', 'run', '--quiet']);
  expect(clean.code, clean.stderr).toBe(0);
  const cleanModel = await other.readModel();
  expect(cleanModel).toEqual({ checkpoint: final.length, rows: foldAccountSummary(final) });
  expect(await store.readModel()).toEqual(cleanModel);
  const rebuild = await cli(['projections', 'rebuild', '--quiet']);
  expect(rebuild.code, rebuild.stderr).toBe(0);
  expect(await store.rebuildScratch()).toEqual([]);
  expect(await store.readModel()).toEqual(cleanModel);
  const listed = await cli(['projections', '--format', 'json']);
  expect(JSON.parse(listed.stdout)).toMatchObject([
    { name: 'account_summary', status: 'ok', checkpoint: final.length, lag: 0 },
  ]);
  await expectVerified(dir, 'at the end', env);
}

interface WriteStep {
  args: string[];
  events: Expected[];
}

/**
 * The writes, in order: `append --file` batches to one new account each, alternating with
 * imports of exports spread over five new accounts. Every event has an id, so rerunning a step
 * is a safe retry; imports also carry their `recordedAt`.
 */
function writePlan(dir: string, steps: number, size: number): WriteStep[] {
  let idCounter = 0;
  const nextId = () => `00000000-0000-7000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
  const plan: WriteStep[] = [];
  for (let step = 1; step <= steps; step += 1) {
    const importing = step % 2 === 0;
    const accounts = importing ? 5 : 1;
    const balances = new Map<string, number>();
    const events: Expected[] = [];
    for (let n = 0; n < size; n += 1) {
      const accountId = importing ? `i${step}-${n % accounts}` : `b${step}`;
      const stream = `account-${accountId}`;
      const balance = balances.get(accountId);
      let type: string;
      let data: Record<string, unknown>;
      if (balance === undefined) {
        type = 'AccountOpened';
        data = { accountId, owner: `Owner ${accountId}` };
        balances.set(accountId, 0);
      } else {
        const amount = (n % 7) + 1;
        const withdraw = n % 5 === 0 && balance >= amount;
        type = withdraw ? 'MoneyWithdrawn' : 'MoneyDeposited';
        data = { accountId, amount, balance: balance + (withdraw ? -amount : amount) };
        balances.set(accountId, data.balance as number);
      }
      const id = nextId();
      events.push(
        importing
          ? {
              id,
              stream,
              type,
              data,
              metadata: { source: `import ${step}` },
              recordedAt: new Date(Date.UTC(2026, 0, step, 0, 0, 0, n)).toISOString(),
            }
          : { id, stream, type, data, metadata: {} },
      );
    }
    const file = importing ? `import-${step}.ndjson` : `batch-${step}.ndjson`;
    // An import file in the export shape; its positions and versions are the source store's,
    // which the receiving store reassigns.
    const lines = placed(events).map((event) =>
      importing
        ? JSON.stringify(event)
        : JSON.stringify({ type: event.type, data: event.data, id: event.id }),
    );
    writeFileSync(join(dir, file), lines.join('\n') + '\n');
    const args = importing
      ? ['import', file, '--quiet']
      : ['append', events[0]!.stream, '--file', file, '--format', 'ndjson', '--quiet'];
    plan.push({ args, events });
  }
  return plan;
}
