import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSpecFile } from '../../src/app/specs/spec-file.js';
import { InputError } from '../../src/core/errors.js';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, parseNdjson, startCli, tempDir } from '../helpers/cli.js';
import { spawn } from 'node:child_process';

// Input that used to pass and be stored changed, or break the store's own round trip: what a
// decider returns, numbers the JSON grammar allows but a double cannot hold, C1 controls,
// impossible times, over-long lines, argv bytes that are not UTF-8. Each refusal is one line
// with the documented exit code, and the store is as it was (its export is the same bytes);
// what is accepted is stored so that `verify` passes and `export` imports back. Both backends.

/** A domain whose decider returns, for `Give {kind}`, the data the kind names. */
const ODD_DOMAIN = `const circular = { a: 1 };
circular.self = circular;
let deep = {};
for (let i = 0; i < 599; i += 1) deep = { d: deep };
let deepest = {};
for (let i = 0; i < 511; i += 1) deepest = { d: deepest };
const datas = {
  dateData: () => new Date(0),
  stringData: () => new String('x'),
  toJsonArray: () => ({ toJSON: () => [1, 2] }),
  dateInside: () => ({ when: new Date(0) }),
  nan: () => ({ n: NaN }),
  infinity: () => ({ list: [1, -Infinity] }),
  undefinedValue: () => ({ u: undefined }),
  functionValue: () => ({ f() {} }),
  deep: () => deep,
  circular: () => circular,
  badType: () => 'bad type',
  deepest: () => deepest,
  big: () => ({ n: 12345678901234567000, tiny: 5e-324, max: Number.MAX_VALUE }),
};
export default {
  deciders: {
    odd: {
      category: 'odd',
      streamId: (command) => command.data.id,
      initialState: () => null,
      evolve: (state) => state,
      decide: {
        Give(command) {
          const data = datas[command.data.kind]();
          if (data === 'bad type') return [{ type: 'Odd\\u009b', data: {} }];
          return [{ type: 'Given', data }];
        },
        Later: () => Promise.reject(new Error('no')),
      },
    },
  },
};
`;

const decidedProblems: Record<string, string> = {
  dateData: 'data must be a plain object, got a Date',
  stringData: 'data must be a plain object, got a String',
  toJsonArray: 'data must be a plain object, got an object with a toJSON method',
  dateInside: 'data.when is a Date, not plain JSON data',
  nan: 'data.n is NaN, not a JSON number',
  infinity: 'data.list[1] is -Infinity, not a JSON number',
  undefinedValue: 'data.u is undefined, not JSON data',
  functionValue: 'data.f is a function, not JSON data',
  deep: 'data is nested more than 512 levels deep',
  circular: 'data.self is circular: it contains itself',
};

/** An export line for `import`, with `data` spliced in as raw text. */
function exportLine(fields: { data?: string; recordedAt?: string; stream?: string } = {}): string {
  return `{"position":1,"stream":${JSON.stringify(fields.stream ?? 'imp-1')},"version":1,"type":"T","id":"0b6c1d2e-0000-4000-8000-000000000001","data":${
    fields.data ?? '{}'
  },"metadata":{},"recordedAt":"${fields.recordedAt ?? '2026-01-01T00:00:00.000Z'}"}`;
}

/** Numbers whose stored text would have had another value: each must be refused. */
const CHANGED_NUMBERS = [
  '9007199254740993.0',
  '12345678901234567890.0',
  '0.12345678901234567890',
  '1e-400',
  '-2.5e-324',
  '1.7976931348623158e308',
];

// One store per backend for the whole file (a fresh PostgreSQL database, `init` and a seed
// event per test cost most of its time): every refusal below checks that it left the store's
// export as it was, and what a test does store goes to streams of its own.
describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const others: StoreUnderTest[] = [];
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runOn(store, args, { cwd: folder.dir, ...options });
  const write = (name: string, text: string) => writeFileSync(join(folder.dir, name), text);
  const exported = async () => {
    const result = await cli(['export']);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  /** Runs `args`, expecting one `error:` line and exit `code`, with the store unchanged. */
  async function refused(args: string[], code: number, message: string, input?: string) {
    const before = await exported();
    const result = await cli(args, { input });
    expect(result, args.join(' ')).toMatchObject({ code, stdout: '' });
    expect(result.stderr, args.join(' ')).toBe(`error: ${message}\n`);
    expect(await exported()).toBe(before);
  }
  /** The store's export imports into a fresh store, which then exports the same bytes. */
  async function roundTrips() {
    expect((await cli(['verify'])).code).toBe(0);
    const text = await exported();
    write('round.ndjson', text);
    const other = await backend.otherStore(`other-${others.length}.db`);
    others.push(other);
    const imported = await runOn(other, ['import', 'round.ndjson'], { cwd: folder.dir });
    expect(imported.code, imported.stderr).toBe(0);
    const again = await runOn(other, ['export'], { cwd: folder.dir });
    expect(again.stdout).toBe(text);
  }

  beforeAll(async () => {
    folder = tempDir('eventlite-input-');
    store = await backend.freshStore();
    expect((await cli(['init'])).code).toBe(0);
    expect((await cli(['append', 'seed-1', 'Seeded', '{"n":1}'])).code).toBe(0);
    write('odd.mjs', ODD_DOMAIN);
  });
  afterAll(async () => {
    for (const other of others.splice(0)) await other.cleanup();
    await store.cleanup();
    folder.cleanup();
  });

  describe("a decider's events are checked like typed-in input", () => {
    for (const [kind, problem] of Object.entries(decidedProblems)) {
      it(`${kind}: exit 1, one line naming the decider and the command, nothing stored`, async () => {
        await refused(
          ['--domain', 'odd.mjs', 'exec', 'Give', JSON.stringify({ id: 'a', kind })],
          1,
          `command "Give": decider "odd" decide.Give(): event 1 (Given): ${problem}`,
        );
      });
    }

    it("a type with a C1 control is the decider's error too", async () => {
      await refused(
        ['--domain', 'odd.mjs', 'exec', 'Give', '{"id":"a","kind":"badType"}'],
        1,
        'command "Give": decider "odd" decide.Give(): event 1: event type name "Odd\\u009b" contains a control character',
      );
    });

    it('an async decide() is refused in one line', async () => {
      await refused(
        ['--domain', 'odd.mjs', 'exec', 'Later', '{"id":"a"}'],
        1,
        'command "Later": decider "odd" decide.Later() returned a Promise: decider functions must be synchronous (no async, no await)',
      );
    });

    it('what a decider may return (512 levels, large and tiny doubles) survives verify, export and import', async () => {
      for (const kind of ['deepest', 'big']) {
        const result = await cli([
          '--domain',
          'odd.mjs',
          'exec',
          'Give',
          `{"id":"a","kind":"${kind}"}`,
        ]);
        expect(result.code, result.stderr).toBe(0);
      }
      await roundTrips();
    });
  });

  describe('a number is stored exactly or refused with exit 2', () => {
    for (const literal of CHANGED_NUMBERS) {
      it(`${literal} through append, append --file, import, replay and exec`, async () => {
        const becomes = String(Number(literal));
        const problem = (where: string) =>
          `${where}: number ${literal} cannot be stored exactly (it would become ${becomes}); send it as a string`;
        await refused(['append', 's-1', 'T', `{"x":${literal}}`], 2, problem('DATA'));
        await refused(
          ['append', 's-1', 'T', '{}', '--metadata', `{"x":${literal}}`],
          2,
          problem('--metadata'),
        );
        write('one.ndjson', `{"type":"T","data":{"x":1}}\n{"type":"T","data":{"x":${literal}}}\n`);
        await refused(['append', 's-1', '--file', 'one.ndjson'], 2, problem('one.ndjson:2'));
        write('exp.ndjson', `${exportLine({ data: `{"x":${literal}}` })}\n`);
        await refused(['import', 'exp.ndjson'], 2, problem('exp.ndjson:1'));
        write('play.ndjson', `{"stream":"s-1","type":"T","data":{"x":${literal}}}\n`);
        const replayed = await cli(['replay', 'play.ndjson']);
        expect(replayed.code).toBe(2);
        expect(replayed.stderr).toContain(problem('play.ndjson:1'));
        await refused(
          ['--domain', 'odd.mjs', 'exec', 'Give', `{"id":"a","kind":${literal}}`],
          2,
          problem('DATA'),
        );
        expect(await exported()).not.toContain('"s-1"');
      });
    }

    it('a number written another way but with the same value is stored in its shortest form', async () => {
      const data =
        '{"a":1.50,"b":1e2,"c":-0,"d":0.1,"e":100000000000000000000,"f":5e-324,"g":1.7976931348623157e308}';
      const result = await cli(['append', 'n-1', 'T', data, '--format', 'ndjson']);
      expect(result.code, result.stderr).toBe(0);
      expect((parseNdjson(result.stdout)[0] as { data: unknown }).data).toEqual({
        a: 1.5,
        b: 100,
        c: 0,
        d: 0.1,
        e: 1e20,
        f: 5e-324,
        g: 1.7976931348623157e308,
      });
      await roundTrips();
    });
  });

  describe('the smaller input gaps', () => {
    it('C1 control characters are refused in stream names, typed or imported', async () => {
      await refused(
        ['append', 'a\u009bb', 'T', '{}'],
        2,
        'stream name "a\\u009bb" contains a control character',
      );
      await refused(
        ['append', 's', 'T\u0085', '{}'],
        2,
        'event type name "T\\u0085" contains a control character',
      );
      write('c1.ndjson', `${exportLine({ stream: 'imp-\u0080' })}\n`);
      await refused(
        ['import', 'c1.ndjson'],
        2,
        'c1.ndjson:1: stream name "imp-\\u0080" contains a control character',
      );
    });

    for (const recordedAt of [
      '2026-02-30T10:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2025-02-29T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
    ]) {
      it(`import refuses the impossible time ${recordedAt}`, async () => {
        write('t.ndjson', `${exportLine({ recordedAt })}\n`);
        await refused(
          ['import', 't.ndjson'],
          2,
          `t.ndjson:1: "recordedAt" must be a real ISO 8601 UTC time like 2026-11-26T10:00:00.000Z, got string "${recordedAt}"`,
        );
      });
    }

    it('import takes a leap day and a fraction of any length', async () => {
      write('ok.ndjson', `${exportLine({ recordedAt: '2024-02-29T23:59:59.5Z' })}\n`);
      const result = await cli(['import', 'ok.ndjson']);
      expect(result.code, result.stderr).toBe(0);
    });

    it('data 512 levels deep, typed in, comes back through export and import', async () => {
      const deep = '{"d":'.repeat(511) + '{}' + '}'.repeat(511);
      expect((await cli(['append', 'deep-1', 'T', deep])).code).toBe(0);
      await roundTrips();
    });

    it('a line past the line-size limit is refused with exit 2, naming the line', async () => {
      const long = `{"type":"T","data":{"x":"${'a'.repeat(200)}"}}`;
      const env = { EVENTLITE_MAX_LINE_BYTES: '100' };
      write('long.ndjson', `{"type":"T"}\n${long}\n`);
      for (const [args, message] of [
        [['append', 's', '--file', 'long.ndjson'], 'long.ndjson:2: line is longer than 100 bytes'],
        [['import', 'long.ndjson'], 'long.ndjson:2: line is longer than 100 bytes'],
        [['replay', 'long.ndjson'], 'long.ndjson:2: line is longer than 100 bytes'],
        [['append', 's', 'T', '-'], 'stdin is longer than 100 bytes'],
      ] as const) {
        const before = await exported();
        const result = await cli([...args], { env, input: long });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^error: ${message}`));
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(await exported()).toBe(before);
      }
      const ok = await cli(['append', 's', '--file', 'long.ndjson'], {
        env: { EVENTLITE_MAX_LINE_BYTES: '300' },
      });
      expect(ok.code, ok.stderr).toBe(0);
    });
  });
});

describe('the process, spawned', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir('eventlite-input-spawn-');
  });
  afterEach(() => folder.cleanup());

  /** Runs the built CLI; a run still going after `limitMs` is killed and reported as hung. */
  async function run(args: string[], limitMs = 30_000) {
    const child = startCli(args, { cwd: folder.dir });
    const guard = setTimeout(() => child.kill('SIGKILL'), limitMs);
    const result = await collect(child);
    clearTimeout(guard);
    expect(result.signal, `${args.join(' ')} hung: ${result.stderr}`).toBeNull();
    return result;
  }

  it('exec ends once its work is done, though the domain module left a timer running', async () => {
    writeFileSync(
      join(folder.dir, 'timer.mjs'),
      `setInterval(() => {}, 1000);
export default { deciders: { t: { category: 't', streamId: () => '1',
  initialState: () => 0, evolve: (s) => s, decide: { Tick: () => [{ type: 'Ticked', data: {} }] } } } };
`,
    );
    expect((await run(['init'])).code).toBe(0);
    const result = await run(['--domain', 'timer.mjs', 'exec', 'Tick', '{}', '--format', 'ndjson']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseNdjson(result.stdout)).toHaveLength(1);
  });

  it('an async decide() that rejects prints one line, no stack trace', async () => {
    writeFileSync(join(folder.dir, 'odd.mjs'), ODD_DOMAIN);
    expect((await run(['init'])).code).toBe(0);
    const result = await run(['--domain', 'odd.mjs', 'exec', 'Later', '{"id":"a"}']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: command "Later": decider "odd" decide.Later() returned a Promise: decider functions must be synchronous (no async, no await)\n',
    );
  });

  it('an argument whose bytes are not UTF-8 is refused (exit 2), a real U+FFFD is stored', async () => {
    expect((await run(['init'])).code).toBe(0);
    // Node cannot pass invalid bytes in argv itself: the shell's printf writes them.
    const shell = (script: string) =>
      collect(
        spawn('sh', ['-c', script], {
          cwd: folder.dir,
          env: cliEnv({ BIN, NODE: process.execPath }),
        }),
      );
    const latin1 = await shell(`"$NODE" "$BIN" append s T "$(printf '{"name":"Jos\\351"}')"`);
    expect(latin1.code).toBe(2);
    expect(latin1.stderr).toBe(
      'error: argument 4 is not valid UTF-8; it would be stored with U+FFFD in place of its bytes\n',
    );
    const stream = await shell(`"$NODE" "$BIN" append "$(printf 'caf\\351')" T '{}'`);
    expect(stream.code).toBe(2);
    // A script that asked for JSON reads this failure as it reads every other one.
    const json = await shell(`"$NODE" "$BIN" append "$(printf 'caf\\351')" T '{}' --format json`);
    expect([json.code, json.stdout, json.stderr]).toEqual([
      2,
      '',
      '{"error":{"exitCode":2,"kind":"usage","message":"argument 2 is not valid UTF-8; it would be stored with U+FFFD in place of its bytes"}}\n',
    ]);
    const real = await run(['append', 's', 'T', '{"name":"\uFFFD"}', '--format', 'ndjson']);
    expect(real.code, real.stderr).toBe(0);
    const log = await run(['log', '--format', 'ndjson']);
    expect(parseNdjson(log.stdout).map((event) => (event as { data: unknown }).data)).toEqual([
      { name: '\uFFFD' },
    ]);
  });
});

describe('spec files are checked like typed-in input', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => {
    folder = tempDir('eventlite-input-spec-');
  });
  afterEach(() => folder.cleanup());

  it.each([
    [
      '- name: x\n  given: [{ type: T, data: { n: .nan } }]\n  when: { command: Deposit }\n  then: { events: [] }\n',
      'spec.yaml:1 (x): given event 1: data.n is NaN, not a JSON number',
    ],
    [
      '- name: x\n  given: [{ type: T, metadata: { m: [-.inf] } }]\n  when: { command: Deposit }\n  then: { events: [] }\n',
      'spec.yaml:1 (x): given event 1: metadata.m[0] is -Infinity, not a JSON number',
    ],
    [
      '- name: x\n  when: { command: Deposit, data: { amount: .inf } }\n  then: { events: [] }\n',
      'spec.yaml:1 (x): "when": data.amount is Infinity, not a JSON number',
    ],
  ])('refuses %j', async (text, message) => {
    const path = join(folder.dir, 'spec.yaml');
    writeFileSync(path, text);
    await expect(readSpecFile(path, 'spec.yaml')).rejects.toThrow(new InputError(message));
  });
});
