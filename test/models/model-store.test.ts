import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, DuplicateEventIdError, InputError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { ExpectedVersion } from '../../src/core/expected-version.js';
import { parseExportedEvent } from '../../src/core/exported-event.js';
import type { AppendResult, EventStore } from '../../src/core/ports.js';
import { eventJsonLine } from '../../src/core/recorded-event.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { backends } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { pgClient, resetPgDatabase } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import {
  batchArbOf,
  checkStore,
  clean,
  contractJson,
  describeExpected,
  describeExpectedVersion,
  expectedArb,
  fcOptions,
  maxSteps,
  TEST_TIMEOUT_MS,
  optionalPositive,
  PREFIXES,
  allStreams,
  readAll,
  resolveExpected,
  StoreModel,
  storedForm,
  streamArb,
  TYPES,
  type AppendOutcome,
  type BatchEvent,
  type ExpectedChoice,
} from './model-helpers.js';

// Model-based tests of the store API: random sequences of appends (random streams, every kind of
// expected version, batches of 1–5, ids from a small pool so retries, repeats and cross-stream
// duplicates happen), retries of earlier batches, reads, listings and export/import, run
// against StoreModel. After every step the whole log, the stream list, the counts and verify
// must agree with the model. model-store-cli.test.ts drives the same model through the CLI.
// On SQLite and on PostgreSQL alike.

const BASE_TIME = Date.parse('2026-11-26T10:00:00.000Z');

/** What the store was told the time was for the n-th append call (distinct for every call). */
function clockAt(call: number): Date {
  return new Date(BASE_TIME + call * 1000);
}

interface Real {
  store: EventStore;
  /** An empty store of the same backend, for an export to be imported into. */
  emptyCopy(): Promise<EventStore>;
}

type StoreCommand = fc.AsyncCommand<StoreModel, Real>;

/** Appends through the store API and checks the outcome against the model's prediction. */
async function appendAndCheck(
  model: StoreModel,
  real: Real,
  stream: string,
  batch: readonly BatchEvent[],
  choice: ExpectedChoice,
): Promise<void> {
  const expected = resolveExpected(choice, model.version(stream));
  const outcome = model.predict(stream, batch, expected);
  const at = clockAt(model.sent.length);
  model.sent.push({ stream, events: batch });
  const options =
    choice.kind === 'omit' ? { now: () => at } : { expectedVersion: expected, now: () => at };
  let result: AppendResult | undefined;
  let error: unknown;
  try {
    result = await real.store.append(stream, batch, options);
  } catch (caught) {
    error = caught;
  }
  checkAppendOutcome(outcome, stream, expected, error);
  if (outcome.kind === 'appended') {
    const events = model.expectedEvents(stream, batch, result!.events, at.toISOString());
    expect({ ...result, events: result!.events.map(storedForm) }).toEqual({
      stream,
      events,
      version: model.version(stream) + batch.length,
      alreadyStored: false,
    });
    model.commit(events);
  } else if (outcome.kind === 'retry') {
    expect(result).toEqual({ stream, events: [], version: outcome.version, alreadyStored: true });
  }
  await checkStore(model, real.store);
}

function checkAppendOutcome(
  outcome: AppendOutcome,
  stream: string,
  expected: ExpectedVersion,
  error: unknown,
): void {
  switch (outcome.kind) {
    case 'appended':
    case 'retry':
      expect(error).toBeUndefined();
      return;
    case 'repeated-id':
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(/appears twice in the batch/);
      return;
    case 'duplicate':
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ code: 'CONCURRENCY', id: outcome.id, stream });
      expect((error as DuplicateEventIdError).storedIn).toBe(outcome.storedIn);
      expect((error as Error).message).toMatch(/^duplicate event id /);
      return;
    case 'conflict':
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'CONCURRENCY', stream, actual: outcome.actual });
      expect((error as Error).message).toBe(
        `version conflict on stream "${stream}": expected ${describeExpectedVersion(expected)}, actual ${outcome.actual}`,
      );
      return;
  }
}

class AppendBatch implements StoreCommand {
  constructor(
    readonly stream: string,
    readonly batch: readonly BatchEvent[],
    readonly choice: ExpectedChoice,
  ) {}
  check = () => true;
  run(model: StoreModel, real: Real): Promise<void> {
    return appendAndCheck(model, real, this.stream, this.batch, this.choice);
  }
  toString(): string {
    return `append(${this.stream}, ${JSON.stringify(this.batch)}, ${describeExpected(this.choice)})`;
  }
}

class Resend implements StoreCommand {
  constructor(
    readonly pick: number,
    readonly otherStream: string | undefined,
    readonly choice: ExpectedChoice,
  ) {}
  check = (model: Readonly<StoreModel>) => model.sent.length > 0;
  run(model: StoreModel, real: Real): Promise<void> {
    const earlier = model.sent[this.pick % model.sent.length]!;
    const stream = this.otherStream ?? earlier.stream;
    return appendAndCheck(model, real, stream, earlier.events, this.choice);
  }
  toString(): string {
    return `resend(#${this.pick}, ${this.otherStream ?? 'same stream'}, ${describeExpected(this.choice)})`;
  }
}

class ReadStream implements StoreCommand {
  constructor(
    readonly stream: string,
    readonly options: { from?: number; limit?: number; backwards?: boolean },
  ) {}
  check = () => true;
  async run(model: StoreModel, real: Real): Promise<void> {
    expect(await readAll(real.store.readStream(this.stream, this.options))).toEqual(
      model.readStream(this.stream, this.options),
    );
  }
  toString(): string {
    return `read(${this.stream}, ${JSON.stringify(this.options)})`;
  }
}

class ReadLog implements StoreCommand {
  constructor(readonly options: { from?: number; limit?: number; types?: string[] }) {}
  check = () => true;
  async run(model: StoreModel, real: Real): Promise<void> {
    expect(await readAll(real.store.readLog(this.options))).toEqual(model.readLog(this.options));
  }
  toString(): string {
    return `log(${JSON.stringify(this.options)})`;
  }
}

class ListStreams implements StoreCommand {
  constructor(readonly options: { prefix?: string; limit?: number }) {}
  check = () => true;
  async run(model: StoreModel, real: Real): Promise<void> {
    expect(await allStreams(real.store.listStreams(this.options))).toEqual(
      model.streams(this.options),
    );
  }
  toString(): string {
    return `streams(${JSON.stringify(this.options)})`;
  }
}

/**
 * Export gives the contract's event shape byte for byte; importing it into an empty store and
 * exporting again gives the same bytes; importing it again, or into the store it came from,
 * adds nothing.
 */
class ExportImport implements StoreCommand {
  check = () => true;
  async run(model: StoreModel, real: Real): Promise<void> {
    const exported = (await readPlain(real.store)).map(eventJsonLine);
    expect(exported).toEqual(model.events.map(contractJson));
    const copy = await real.emptyCopy();
    try {
      expect(await importLines(copy, exported)).toEqual({
        imported: exported.length,
        skipped: 0,
        head: exported.length,
      });
      expect((await readPlain(copy)).map(eventJsonLine)).toEqual(exported);
      expect(await importLines(copy, exported)).toEqual({
        imported: 0,
        skipped: exported.length,
        head: exported.length,
      });
      expect((await copy.verify()).filter((check) => !check.ok)).toEqual([]);
    } finally {
      await copy.close();
    }
    expect(await importLines(real.store, exported)).toEqual({
      imported: 0,
      skipped: exported.length,
      head: model.head,
    });
    await checkStore(model, real.store);
  }
  toString(): string {
    return 'export+import';
  }
}

/** The whole log as the store returns it (StoredEvents), for export. */
async function readPlain(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const page of store.readLog()) events.push(...page);
  return events;
}

async function importLines(store: EventStore, lines: readonly string[]) {
  const session = await store.beginImport();
  try {
    await session.add(lines.map((line, index) => parseExportedEvent(line, `export:${index + 1}`)));
    return await session.commit();
  } catch (error) {
    await session.rollback();
    throw error;
  }
}

function storeCommands(stringUnit: 'binary' | 'grapheme-ascii') {
  const batchArb = batchArbOf(stringUnit, 5);
  const writes: fc.Arbitrary<StoreCommand> = fc.oneof(
    {
      arbitrary: fc
        .tuple(streamArb, batchArb, expectedArb)
        .map(([stream, batch, choice]) => new AppendBatch(stream, batch, choice)),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(fc.nat(), fc.option(streamArb, { nil: undefined, freq: 3 }), expectedArb)
        .map(([pick, other, choice]) => new Resend(pick, other, choice)),
      weight: 2,
    },
  );
  // fc.commands picks among its arbitraries evenly: writes are listed twice to weigh more.
  return [
    writes,
    writes,
    fc
      .tuple(streamArb, optionalPositive(8), optionalPositive(6), fc.boolean())
      .map(
        ([stream, from, limit, backwards]) =>
          new ReadStream(stream, clean({ from, limit, backwards })),
      ),
    fc
      .tuple(
        optionalPositive(40),
        optionalPositive(10),
        fc.subarray([...TYPES, 'Unknown'], { maxLength: 3 }),
      )
      .map(([from, limit, types]) => new ReadLog(clean({ from, limit, types }))),
    fc
      .tuple(fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }), optionalPositive(4))
      .map(([prefix, limit]) => new ListStreams(clean({ prefix, limit }))),
    fc.constant(new ExportImport()),
  ];
}

/**
 * How a backend's runs get their stores. SQLite: a new file per run, and an in-memory store for
 * each copy (a fresh file per export would cost more than the rest of the step). PostgreSQL: a
 * new database would cost a second a run, so one database for the store and one for copies,
 * emptied before each use.
 */
interface Runs {
  store(run: number): Promise<EventStore>;
  emptyCopy(): Promise<EventStore>;
  numRuns: number;
  stressRuns: number;
}

for (const backend of backends()) {
  describe(`the store against a model of the contract (in process, ${backend.name})`, () => {
    let runs: Runs;
    const done: (() => Promise<void> | void)[] = [];
    beforeAll(async () => {
      if (backend.name === 'sqlite') {
        const folder = tempDir('eventlite-model-store-');
        done.push(folder.cleanup);
        runs = {
          store: async (run) =>
            openSqliteEventStore(join(folder.dir, `store-${run}.db`), { create: true }),
          emptyCopy: async () => openSqliteEventStore(':memory:', { create: true }),
          numRuns: 60,
          stressRuns: 400,
        };
        return;
      }
      const [main, copies] = [await freshPgDatabase(), await freshPgDatabase()];
      const [mainClient, copiesClient] = [await pgClient(main.url), await pgClient(copies.url)];
      done.push(
        () => mainClient.end(),
        () => copiesClient.end(),
        main.drop,
        copies.drop,
      );
      runs = {
        async store() {
          await resetPgDatabase(mainClient);
          return openPostgresEventStore(main.url, { create: true });
        },
        async emptyCopy() {
          await resetPgDatabase(copiesClient);
          return openPostgresEventStore(copies.url, { create: true });
        },
        // A step costs tens of ms of round trips here (an empty copy, 100 ms to create), not a
        // few in a file: 12 sequences rather than 60 (the same seed, so the first ones SQLite
        // runs), to keep the default suite fast; a stress run takes 200.
        numRuns: 12,
        stressRuns: 200,
      };
    });
    afterAll(async () => {
      for (const step of done.splice(0)) await step();
    });

    it(
      'appends, retries, reads, listings and export/import agree with the model after every step',
      async () => {
        let run = 0;
        const commands = fc.commands(storeCommands('binary'), {
          maxCommands: maxSteps(40, 100),
          size: 'max',
        });
        await fc.assert(
          fc.asyncProperty(commands, async (sequence) => {
            run += 1;
            const store = await runs.store(run);
            try {
              const real: Real = { store, emptyCopy: runs.emptyCopy };
              await fc.asyncModelRun(() => ({ model: new StoreModel(), real }), sequence);
            } finally {
              await store.close();
            }
          }),
          fcOptions(runs.numRuns, runs.stressRuns),
        );
      },
      TEST_TIMEOUT_MS,
    );
  });
}
