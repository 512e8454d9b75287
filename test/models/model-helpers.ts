import fc from 'fast-check';
import { expect } from 'vitest';
import type { JsonObject, RecordedEvent } from '../../src/core/events.js';
import type { ExpectedVersion } from '../../src/core/expected-version.js';
import type { EventStore, StreamSummary } from '../../src/core/ports.js';
import { StoredEvent, type EventRow } from '../../src/core/recorded-event.js';

// Shared by the model-based trust tests: the fast-check settings, and an in-memory model of
// the store contract (CONTRACT.md: event shape, expected versions, idempotent retry by id)
// written from the contract, not from the store's code, so the two can disagree.

/** `EVENTLITE_STRESS=1` (npm run test:stress) runs many more and longer sequences. */
export const STRESS = process.env.EVENTLITE_STRESS === '1';

/**
 * A fixed seed keeps `npm test` reproducible; a stress run takes a new seed each time, to
 * explore. Either way fast-check prints the seed and path of a failure: replay it with
 * `FC_SEED=… FC_PATH=… npx vitest run test/models/model-` (FC_SEED alone picks another seed).
 */
export function fcOptions<T>(numRuns: number, stressRuns = numRuns * 20): fc.Parameters<T> {
  const given = process.env.FC_SEED;
  const seed = given === undefined ? (STRESS ? Date.now() | 0 : 20261126) : Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${given}"`);
  const path = process.env.FC_PATH;
  return {
    seed,
    numRuns: STRESS ? stressRuns : numRuns,
    ...(path === undefined ? {} : { path }),
  };
}

/** Under EVENTLITE_STRESS a property runs for minutes, far past vitest's usual timeout. */
export const TEST_TIMEOUT_MS = STRESS ? 1_200_000 : 60_000;

/**
 * For properties that start processes: the vitest timeout, and fast-check stopping (a failure
 * found so far is still reported, its shrinking cut short) well before it.
 */
export const CLI_TEST_TIMEOUT_MS = STRESS ? 900_000 : 150_000;
export const CLI_LIMITS = {
  interruptAfterTimeLimit: CLI_TEST_TIMEOUT_MS - 30_000,
  markInterruptAsFailure: true,
};

/** Up to `normal` steps in a sequence, `stress` under EVENTLITE_STRESS. */
export function maxSteps(normal: number, stress = normal * 4): number {
  return STRESS ? stress : normal;
}

// ---------------------------------------------------------------------------------------------
// The store model

/** An event as the contract prints it, with data and metadata as the JSON text stored. */
export type ModelEvent = EventRow;

/**
 * A read event in the model's form. Reads must give StoredEvents, which keep the JSON text
 * exactly as stored: comparing that text (not re-parsed values) is what catches a store that
 * changes data on the way in.
 */
export function storedForm(event: RecordedEvent): ModelEvent {
  if (!(event instanceof StoredEvent)) {
    throw new Error(`expected a StoredEvent from the store, got ${JSON.stringify(event)}`);
  }
  const { position, stream, version, type, id, dataJson, metadataJson, recordedAt } = event;
  const { schemaVersion } = event;
  return { position, stream, version, type, id, dataJson, metadataJson, recordedAt, schemaVersion };
}

/** Every page of a read, in the model's form. */
export async function readAll(pages: AsyncIterable<RecordedEvent[]>): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  for await (const page of pages) events.push(...page.map(storedForm));
  return events;
}

/** Every page of listStreams, gathered. */
export async function allStreams(pages: AsyncIterable<StreamSummary[]>): Promise<StreamSummary[]> {
  const streams: StreamSummary[] = [];
  for await (const page of pages) streams.push(...page);
  return streams;
}

/** One event of a batch as a writer sends it. */
export interface BatchEvent {
  type: string;
  data: JsonObject;
  metadata?: JsonObject;
  id?: string;
}

/** What the contract says an append must do. */
export type AppendOutcome =
  | { kind: 'appended'; from: number }
  | { kind: 'retry'; version: number }
  | { kind: 'repeated-id' }
  | { kind: 'duplicate'; id: string; storedIn: string }
  | { kind: 'conflict'; actual: number };

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export class StoreModel {
  readonly events: ModelEvent[] = [];
  /** Every batch sent so far, for retries (whether it was stored or refused). */
  readonly sent: { stream: string; events: readonly BatchEvent[] }[] = [];
  private readonly streamOfId = new Map<string, string>();
  private readonly versions = new Map<string, number>();

  get head(): number {
    return this.events.length;
  }

  version(stream: string): number {
    return this.versions.get(stream) ?? 0;
  }

  predict(stream: string, batch: readonly BatchEvent[], expected: ExpectedVersion): AppendOutcome {
    const ids = batch.map((event) => event.id?.toLowerCase());
    const given = ids.filter((id): id is string => id !== undefined);
    if (new Set(given).size !== given.length) return { kind: 'repeated-id' };
    // A batch whose ids are all stored in this stream is a safe retry, whatever it expected;
    // an id stored elsewhere, or a batch only partly stored, is refused.
    let storedHere = 0;
    let firstStoredHere: string | undefined;
    for (const id of given) {
      const storedIn = this.streamOfId.get(id);
      if (storedIn === undefined) continue;
      if (storedIn !== stream) return { kind: 'duplicate', id, storedIn };
      storedHere += 1;
      firstStoredHere ??= id;
    }
    const actual = this.version(stream);
    if (storedHere > 0 && storedHere === batch.length) return { kind: 'retry', version: actual };
    if (firstStoredHere !== undefined) {
      return { kind: 'duplicate', id: firstStoredHere, storedIn: stream };
    }
    const fits =
      expected === 'any' ||
      (expected === 'no-stream' && actual === 0) ||
      (expected === 'exists' && actual > 0) ||
      expected === actual;
    return fits ? { kind: 'appended', from: this.head + 1 } : { kind: 'conflict', actual };
  }

  /**
   * The events an appended batch must have become. Ids the writer left out and the time are
   * the store's to choose: they are taken from what the store reports (`stored`), after
   * checking their form, unless `recordedAt` is known.
   */
  expectedEvents(
    stream: string,
    batch: readonly BatchEvent[],
    stored: readonly { id: string; recordedAt: string }[],
    recordedAt?: string,
  ): ModelEvent[] {
    const version = this.version(stream);
    return batch.map((event, index) => {
      const reported = stored[index];
      const id = event.id?.toLowerCase() ?? reported?.id ?? '(missing)';
      const at = recordedAt ?? reported?.recordedAt ?? '(missing)';
      return {
        position: this.head + index + 1,
        stream,
        version: version + index + 1,
        type: event.type,
        id: UUID_PATTERN.test(id) && !this.streamOfId.has(id) ? id : `(bad id ${id})`,
        dataJson: JSON.stringify(event.data),
        metadataJson: JSON.stringify(event.metadata ?? {}),
        recordedAt: ISO_TIME.test(at) ? at : `(bad time ${at})`,
        schemaVersion: 1,
      };
    });
  }

  commit(events: readonly ModelEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      this.streamOfId.set(event.id, event.stream);
      this.versions.set(event.stream, event.version);
    }
  }

  readStream(stream: string, options: { from?: number; limit?: number; backwards?: boolean }) {
    const events = this.events.filter((event) => event.stream === stream);
    const ordered = options.backwards
      ? events.filter((event) => event.version <= (options.from ?? Infinity)).reverse()
      : events.filter((event) => event.version >= (options.from ?? 1));
    return ordered.slice(0, options.limit ?? Infinity);
  }

  readLog(options: { from?: number; limit?: number; types?: readonly string[] }) {
    const types = options.types && options.types.length > 0 ? options.types : undefined;
    return this.events
      .filter((event) => event.position >= (options.from ?? 1))
      .filter((event) => types === undefined || types.includes(event.type))
      .slice(0, options.limit ?? Infinity);
  }

  /** Streams in the order SQLite's BINARY collation gives: the bytes of their UTF-8 names. */
  streams(options: { prefix?: string; limit?: number } = {}) {
    const names = [...this.versions.keys()]
      .filter((stream) => stream.startsWith(options.prefix ?? ''))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return names.slice(0, options.limit ?? Infinity).map((stream) => {
      const events = this.events.filter((event) => event.stream === stream);
      return {
        stream,
        version: events.length,
        firstRecordedAt: events[0]!.recordedAt,
        lastRecordedAt: events.at(-1)!.recordedAt,
      };
    });
  }
}

/** The contract's event shape, keys in contract order, as `--format ndjson` and export print it. */
export function contractJson(event: ModelEvent): string {
  return JSON.stringify({
    position: event.position,
    stream: event.stream,
    version: event.version,
    type: event.type,
    id: event.id,
    data: JSON.parse(event.dataJson) as unknown,
    metadata: JSON.parse(event.metadataJson) as unknown,
    recordedAt: event.recordedAt,
  });
}

/** A line of the contract's event shape, back to the store's form. */
export function fromContractJson(line: string): ModelEvent {
  const value = JSON.parse(line) as Record<string, unknown>;
  return {
    position: value.position as number,
    stream: value.stream as string,
    version: value.version as number,
    type: value.type as string,
    id: value.id as string,
    dataJson: JSON.stringify(value.data),
    metadataJson: JSON.stringify(value.metadata),
    recordedAt: value.recordedAt as string,
    schemaVersion: (value.schemaVersion as number | undefined) ?? 1,
  };
}

/** Basic invariants of the model itself: positions 1..n and versions 1, 2, 3… per stream. */
export function checkModelShape(events: readonly ModelEvent[]): void {
  const versions = new Map<string, number>();
  events.forEach((event, index) => {
    const version = (versions.get(event.stream) ?? 0) + 1;
    if (event.position !== index + 1 || event.version !== version) {
      throw new Error(`model broken at ${index}: ${JSON.stringify(event)}`);
    }
    versions.set(event.stream, version);
  });
}

// ---------------------------------------------------------------------------------------------
// Generators shared by the store tests

/** A small pool of ids, so that repeats in a batch and cross-stream duplicates happen. */
export const ID_POOL = Array.from(
  { length: 8 },
  (_, n) => `0000000${n}-aaaa-4bbb-8ccc-${String(n).repeat(12)}`,
);

/**
 * An id from the pool, or a fresh one (a batch of fresh ids can be retried), sometimes in upper
 * case: the contract's ids are UUIDs, which compare case-insensitively.
 */
export const someIdArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.nat(ID_POOL.length - 1).map((n) => ID_POOL[n]!), weight: 1 },
      { arbitrary: fc.uuid(), weight: 2 },
    ),
    fc.nat(4),
  )
  .map(([id, upper]) => (upper === 0 ? id.toUpperCase() : id));

/** Some id, or none (the store then makes one). */
export const maybeIdArb: fc.Arbitrary<string | undefined> = fc.option(someIdArb, {
  nil: undefined,
  freq: 2,
});

export type ExpectedChoice =
  { kind: 'omit' | 'any' | 'no-stream' | 'exists' | 'right' } | { kind: 'wrong'; pick: number };

const choice = (kind: 'omit' | 'any' | 'no-stream' | 'exists' | 'right', weight: number) => ({
  arbitrary: fc.constant({ kind }),
  weight,
});

/** Every kind of expected version; right ones a little more often, so streams grow. */
export const expectedArb: fc.Arbitrary<ExpectedChoice> = fc.oneof(
  choice('omit', 2),
  choice('any', 2),
  choice('no-stream', 1),
  choice('exists', 1),
  choice('right', 4),
  { arbitrary: fc.nat(50).map((pick) => ({ kind: 'wrong' as const, pick })), weight: 2 },
);

/** The expected version a choice stands for, given the stream's actual version. */
export function resolveExpected(choice: ExpectedChoice, actual: number): ExpectedVersion {
  switch (choice.kind) {
    case 'omit':
      return 'any';
    case 'right':
      return actual;
    case 'wrong': {
      const wrong = choice.pick % (actual + 3);
      return wrong >= actual ? wrong + 1 : wrong;
    }
    default:
      return choice.kind;
  }
}

export function describeExpected(choice: ExpectedChoice): string {
  return choice.kind === 'wrong' ? `wrong#${choice.pick}` : choice.kind;
}

// ---------------------------------------------------------------------------------------------
// Store test material, shared by the in-process and the CLI sequences

// Names that sort differently by UTF-16 and by UTF-8 bytes (😀 vs ～), hold LIKE wildcards
// (_ and %), differ only in case, or prefix one another.
export const STREAMS = ['acc-1', 'acc-10', 'Acc-1', 'a_1', 'a%1', 'acc-é', 'acc-😀', 'acc-～'];
export const PREFIXES = ['', 'a', 'acc-1', 'a_', 'a%', 'A', 'acc-é', 'acc-😀', 'acc-～', 'zzz'];
export const TYPES = ['Opened', 'Deposited', 'Noted', 'Type With Space', 'Ünïcödé'];

/**
 * Small JSON objects: any Unicode text (or ASCII, where a shell-like argv matters), integers,
 * doubles of every size (beyond 2^53 they print as long integers), booleans, null and a little
 * nesting. Hand-made rather than fc.jsonValue, which costs ten times more per value here.
 */
export function jsonObjectArb(stringUnit: 'binary' | 'grapheme-ascii') {
  const text = fc.string({ maxLength: 8, unit: stringUnit });
  const scalar = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    text,
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.oneof(
    { arbitrary: scalar, weight: 4 },
    { arbitrary: fc.array(scalar, { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(text, scalar, { maxKeys: 2 }), weight: 1 },
  );
  return fc.dictionary(text, value, { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>;
}

export function batchEventArb(
  stringUnit: 'binary' | 'grapheme-ascii',
  idArb: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<BatchEvent> {
  return fc
    .record({
      type: fc.constantFrom(...TYPES),
      data: jsonObjectArb(stringUnit),
      metadata: fc.option(jsonObjectArb(stringUnit), { nil: undefined }),
      id: idArb,
    })
    .map(({ metadata, id, ...event }) => {
      const batchEvent: BatchEvent = { ...event };
      if (metadata !== undefined) batchEvent.metadata = metadata;
      if (id !== undefined) batchEvent.id = id;
      // A writer's batch must come back untouched: a retry re-sends the very same objects.
      return deepFreeze(batchEvent);
    });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const streamArb = fc.constantFrom(...STREAMS);
export const optionalPositive = (max: number) =>
  fc.option(fc.integer({ min: 1, max }), { nil: undefined });

/** Batches of 1 to `max` events: with an id on every event (retriable), or ids here and there. */
export function batchArbOf(stringUnit: 'binary' | 'grapheme-ascii', max: number) {
  return fc.oneof(
    fc.array(batchEventArb(stringUnit, someIdArb), { minLength: 1, maxLength: max }),
    fc.array(batchEventArb(stringUnit, maybeIdArb), { minLength: 1, maxLength: max }),
  );
}

/** Drops undefined options, so that the calls read as a user would write them. */
export function clean<T extends object>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as T;
}

export function describeExpectedVersion(expected: ExpectedVersion): string {
  if (expected === 'no-stream') return 'no stream (version 0)';
  if (expected === 'exists') return 'an existing stream';
  return String(expected);
}

/** After every step: the whole store agrees with the model, and verify passes. */
export async function checkStore(model: StoreModel, store: EventStore): Promise<void> {
  checkModelShape(model.events);
  expect(await readAll(store.readLog())).toEqual(model.events);
  expect(await store.head()).toBe(model.head);
  expect(await allStreams(store.listStreams())).toEqual(model.streams());
  expect(await store.counts()).toEqual({
    head: model.head,
    streams: model.streams().length,
    events: model.head,
  });
  expect((await store.verify()).filter((check) => !check.ok)).toEqual([]);
}
