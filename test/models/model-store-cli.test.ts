import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import type { EventStore } from '../../src/core/ports.js';
import { openPostgresEventStore } from '../../src/store/postgres/index.js';
import { openSqliteEventStore } from '../../src/store/sqlite/index.js';
import { backends } from '../helpers/backends.js';
import { parseNdjson, spawnCli, tempDir, type CliResult } from '../helpers/cli.js';
import { pgClient, resetPgDatabase } from '../helpers/pg-inspect.js';
import { freshPgDatabase } from '../helpers/postgres.js';
import {
  batchArbOf,
  checkStore,
  clean,
  CLI_LIMITS,
  CLI_TEST_TIMEOUT_MS,
  contractJson,
  describeExpected,
  describeExpectedVersion,
  expectedArb,
  fcOptions,
  fromContractJson,
  maxSteps,
  optionalPositive,
  PREFIXES,
  resolveExpected,
  StoreModel,
  streamArb,
  TYPES,
  type BatchEvent,
  type ExpectedChoice,
} from './model-helpers.js';

// The store model (see model-store.test.ts) driven through the built CLI, as scripts use it:
// `append` (one event with flags, or a batch with --file), retries, bad input, `read`, `log`,
// `streams --json`, `verify` and `export`. Exit codes must be 0, 2 or 3 as the contract says,
// and output must equal the model byte for byte. Each call starts a process, so the sequences
// are few and short; between calls the store is checked against the model in process. On
// SQLite (a file) and on PostgreSQL (`--db postgres://…`) alike.

interface CliReal {
  dir: string;
  /** The store as `--db` names it: a file in `dir`, or a PostgreSQL URL. */
  db: string;
  /** The store, opened in process. */
  open(): Promise<EventStore>;
}

type CliCommand = fc.AsyncCommand<StoreModel, CliReal>;

function cli(real: CliReal, args: readonly string[], input?: string): Promise<CliResult> {
  return spawnCli(['--db', real.db, ...args], { cwd: real.dir, input });
}

async function cliAppendAndCheck(
  model: StoreModel,
  real: CliReal,
  stream: string,
  batch: readonly BatchEvent[],
  choice: ExpectedChoice,
  asFile: boolean,
): Promise<void> {
  const expected = resolveExpected(choice, model.version(stream));
  const outcome = model.predict(stream, batch, expected);
  model.sent.push({ stream, events: batch });
  const flags = choice.kind === 'omit' ? [] : ['--expected-version', String(expected)];
  const result =
    asFile || batch.length > 1
      ? await cli(
          real,
          ['append', stream, '--file', '-', '--format', 'ndjson', ...flags],
          batch.map((event) => JSON.stringify(event)).join('\n') + '\n',
        )
      : await cli(real, [
          'append',
          stream,
          ...singleEventArgs(batch[0]!),
          '--format',
          'ndjson',
          ...flags,
        ]);
  const where = `${JSON.stringify(result)}`;
  switch (outcome.kind) {
    case 'appended': {
      expect(result.code, where).toBe(0);
      const printed = result.stdout.split('\n').filter((line) => line !== '');
      const events = model.expectedEvents(stream, batch, printed.map(fromContractJson));
      expect(printed, where).toEqual(events.map(contractJson));
      model.commit(events);
      break;
    }
    case 'retry':
      expect(result.code, where).toBe(0);
      expect(result.stdout, where).toBe('');
      expect(result.stderr, where).toMatch(/already stored/);
      break;
    case 'repeated-id':
      expect(result.code, where).toBe(2);
      expect(result.stderr, where).toMatch(/appears twice in the batch/);
      break;
    case 'duplicate':
      expect(result.code, where).toBe(3);
      expect(result.stderr, where).toMatch(/duplicate event id/);
      expect(result.stderr, where).toContain(outcome.id);
      break;
    case 'conflict':
      expect(result.code, where).toBe(3);
      expect(result.stderr, where).toContain(
        `expected ${describeExpectedVersion(expected)}, actual ${outcome.actual}`,
      );
      break;
  }
  await checkStoreFile(model, real);
}

function singleEventArgs(event: BatchEvent): string[] {
  const args = [event.type, JSON.stringify(event.data)];
  if (event.metadata !== undefined) args.push('--metadata', JSON.stringify(event.metadata));
  if (event.id !== undefined) args.push('--id', event.id);
  return args;
}

/** Between CLI steps the store is checked in process: cheap, and nothing else holds it. */
async function checkStoreFile(model: StoreModel, real: CliReal): Promise<void> {
  const store = await real.open();
  try {
    await checkStore(model, store);
  } finally {
    await store.close();
  }
}

class CliAppend implements CliCommand {
  constructor(
    readonly stream: string,
    readonly batch: readonly BatchEvent[],
    readonly choice: ExpectedChoice,
    readonly asFile: boolean,
  ) {}
  check = () => true;
  run(model: StoreModel, real: CliReal): Promise<void> {
    return cliAppendAndCheck(model, real, this.stream, this.batch, this.choice, this.asFile);
  }
  toString(): string {
    return `cli append(${this.stream}, ${JSON.stringify(this.batch)}, ${describeExpected(this.choice)}${this.asFile ? ', --file' : ''})`;
  }
}

class CliResend implements CliCommand {
  constructor(
    readonly pick: number,
    readonly otherStream: string | undefined,
    readonly choice: ExpectedChoice,
  ) {}
  check = (model: Readonly<StoreModel>) => model.sent.length > 0;
  run(model: StoreModel, real: CliReal): Promise<void> {
    const earlier = model.sent[this.pick % model.sent.length]!;
    const stream = this.otherStream ?? earlier.stream;
    return cliAppendAndCheck(model, real, stream, earlier.events, this.choice, true);
  }
  toString(): string {
    return `cli resend(#${this.pick}, ${this.otherStream ?? 'same stream'}, ${describeExpected(this.choice)})`;
  }
}

/** Bad input exits 2 and changes nothing. */
class CliBadInput implements CliCommand {
  constructor(readonly args: readonly string[]) {}
  check = () => true;
  async run(model: StoreModel, real: CliReal): Promise<void> {
    const result = await cli(real, this.args);
    expect(result.code, JSON.stringify(result)).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: /);
    await checkStoreFile(model, real);
  }
  toString(): string {
    return `cli ${this.args.join(' ')}`;
  }
}

class CliRead implements CliCommand {
  constructor(
    readonly stream: string,
    readonly options: { from?: number; limit?: number; backwards?: boolean },
  ) {}
  check = () => true;
  async run(model: StoreModel, real: CliReal): Promise<void> {
    const { from, limit, backwards } = this.options;
    const result = await cli(real, [
      'read',
      this.stream,
      '--format',
      'ndjson',
      ...(from === undefined ? [] : ['--from', String(from)]),
      ...(limit === undefined ? [] : ['--limit', String(limit)]),
      ...(backwards ? ['--backwards'] : []),
    ]);
    if (model.version(this.stream) === 0) {
      expect(result.code, JSON.stringify(result)).toBe(5);
      expect(result.stdout).toBe('');
      return;
    }
    expect(result.code, JSON.stringify(result)).toBe(0);
    expect(lines(result.stdout)).toEqual(
      model.readStream(this.stream, this.options).map(contractJson),
    );
  }
  toString(): string {
    return `cli read(${this.stream}, ${JSON.stringify(this.options)})`;
  }
}

class CliLog implements CliCommand {
  constructor(readonly options: { from?: number; limit?: number; types?: string[] }) {}
  check = () => true;
  async run(model: StoreModel, real: CliReal): Promise<void> {
    const { from, limit, types = [] } = this.options;
    const result = await cli(real, [
      'log',
      '--format',
      'ndjson',
      ...(from === undefined ? [] : ['--from', String(from)]),
      ...(limit === undefined ? [] : ['--limit', String(limit)]),
      ...types.flatMap((type) => ['--type', type]),
    ]);
    expect(result.code, JSON.stringify(result)).toBe(0);
    expect(lines(result.stdout)).toEqual(model.readLog(this.options).map(contractJson));
  }
  toString(): string {
    return `cli log(${JSON.stringify(this.options)})`;
  }
}

class CliStreams implements CliCommand {
  constructor(readonly options: { prefix?: string; limit?: number }) {}
  check = () => true;
  async run(model: StoreModel, real: CliReal): Promise<void> {
    const { prefix, limit } = this.options;
    const result = await cli(real, [
      'streams',
      '--json',
      ...(prefix === undefined ? [] : ['--prefix', prefix]),
      ...(limit === undefined ? [] : ['--limit', String(limit)]),
    ]);
    expect(result.code, JSON.stringify(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(model.streams(this.options));
  }
  toString(): string {
    return `cli streams(${JSON.stringify(this.options)})`;
  }
}

class CliVerify implements CliCommand {
  check = () => true;
  async run(_model: StoreModel, real: CliReal): Promise<void> {
    const result = await cli(real, ['verify', '--format', 'ndjson']);
    expect(result.code, JSON.stringify(result)).toBe(0);
    const checks = parseNdjson(result.stdout) as { ok: boolean }[];
    expect(checks.length).toBeGreaterThanOrEqual(5);
    expect(checks.filter((check) => check.ok !== true)).toEqual([]);
  }
  toString(): string {
    return 'cli verify';
  }
}

/** `export [--stream S] [--from POSITION]`: the contract's event shape, byte for byte. */
class CliExport implements CliCommand {
  constructor(readonly options: { stream?: string; from?: number }) {}
  check = () => true;
  async run(model: StoreModel, real: CliReal): Promise<void> {
    const { stream, from } = this.options;
    const result = await cli(real, [
      'export',
      ...(stream === undefined ? [] : ['--stream', stream]),
      ...(from === undefined ? [] : ['--from', String(from)]),
    ]);
    if (stream !== undefined && model.version(stream) === 0) {
      expect(result.code, JSON.stringify(result)).toBe(5);
      expect(result.stdout).toBe('');
      return;
    }
    expect(result.code, JSON.stringify(result)).toBe(0);
    const events = model.events.filter(
      (event) => (stream === undefined || event.stream === stream) && event.position >= (from ?? 1),
    );
    expect(result.stdout).toBe(events.map((event) => `${contractJson(event)}\n`).join(''));
  }
  toString(): string {
    return `cli export(${JSON.stringify(this.options)})`;
  }
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

const BAD_INPUTS: readonly (readonly string[])[] = [
  ['append', 'acc-1', 'Opened', '{}', '--expected-version', 'soon'],
  ['append', 'acc-1', 'Opened', '{}', '--id', 'not-a-uuid'],
  ['append', 'acc-1', 'Opened', '{"unclosed":'],
  ['append', 'acc-1', 'Opened', '[1,2]'],
  ['read', 'acc-1', '--limit', '0'],
  ['log', '--from', 'ten'],
];

/** Appends weigh most: they are what the other calls are checked against. */
function cliCommandArb(): fc.Arbitrary<CliCommand> {
  const batchArb = batchArbOf('grapheme-ascii', 4);
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(streamArb, batchArb, expectedArb, fc.boolean())
        .map(([stream, batch, choice, asFile]) => new CliAppend(stream, batch, choice, asFile)),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(fc.nat(), fc.option(streamArb, { nil: undefined, freq: 3 }), expectedArb)
        .map(([pick, other, choice]) => new CliResend(pick, other, choice)),
      weight: 2,
    },
    { arbitrary: fc.constantFrom(...BAD_INPUTS).map((args) => new CliBadInput(args)), weight: 1 },
    {
      arbitrary: fc
        .tuple(streamArb, optionalPositive(6), optionalPositive(4), fc.boolean())
        .map(
          ([stream, from, limit, backwards]) =>
            new CliRead(stream, clean({ from, limit, backwards })),
        ),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(optionalPositive(20), optionalPositive(6), fc.subarray(TYPES, { maxLength: 2 }))
        .map(([from, limit, types]) => new CliLog(clean({ from, limit, types }))),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.option(fc.constantFrom(...PREFIXES), { nil: undefined }), optionalPositive(3))
        .map(([prefix, limit]) => new CliStreams(clean({ prefix, limit }))),
      weight: 1,
    },
    { arbitrary: fc.constant(new CliVerify()), weight: 1 },
    {
      arbitrary: fc
        .record({
          stream: fc.option(streamArb, { nil: undefined }),
          from: optionalPositive(12),
        })
        .map((options) => new CliExport(clean(options))),
      weight: 1,
    },
  );
}

for (const backend of backends()) {
  describe(`the store against the model, through the built CLI (${backend.name})`, () => {
    let folder: ReturnType<typeof tempDir>;
    /** PostgreSQL: one database, emptied before each sequence (a new one costs a second). */
    let database: Awaited<ReturnType<typeof freshPgDatabase>> | undefined;
    let admin: pg.Client | undefined;
    beforeAll(async () => {
      folder = tempDir('eventlite-model-cli-');
      if (backend.name === 'postgres') {
        database = await freshPgDatabase();
        admin = await pgClient(database.url);
      }
    });
    afterAll(async () => {
      await admin?.end();
      await database?.drop();
      folder.cleanup();
    });

    /** A folder for the sequence and an empty store, created in process. */
    async function freshReal(run: number): Promise<CliReal> {
      const dir = join(folder.dir, `run-${run}`);
      mkdirSync(dir);
      if (database === undefined) {
        const path = join(dir, 'store.db');
        await openSqliteEventStore(path, { create: true }).close();
        return { dir, db: 'store.db', open: async () => openSqliteEventStore(path) };
      }
      const url = database.url;
      await resetPgDatabase(admin!);
      await (await openPostgresEventStore(url, { create: true })).close();
      return { dir, db: url, open: () => openPostgresEventStore(url, { create: false }) };
    }

    it(
      'exit codes 0/2/3 and read, log, streams, verify and export agree with the model',
      async () => {
        let runs = 0;
        // Each call starts a process: 4 sequences of 6 or 7 calls, under 30 in all. A plain
        // array rather than fc.commands, so that no sequence comes out too short to say
        // anything. PostgreSQL: 2 sequences (the first two of the same seed), as a call costs
        // more there (a connection, the schema check) and the default suite must stay fast.
        const sequences = fc.array(cliCommandArb(), { minLength: 6, maxLength: maxSteps(7, 15) });
        const [numRuns, stressRuns] = backend.name === 'sqlite' ? [4, 20] : [2, 10];
        await fc.assert(
          fc.asyncProperty(sequences, async (sequence) => {
            runs += 1;
            const real = await freshReal(runs);
            const model = new StoreModel();
            for (const command of sequence) {
              if (command.check(model)) await command.run(model, real);
            }
          }),
          { ...fcOptions(numRuns, stressRuns), ...CLI_LIMITS },
        );
      },
      CLI_TEST_TIMEOUT_MS,
    );
  });
}
