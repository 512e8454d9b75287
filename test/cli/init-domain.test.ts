import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPgUrl, runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// `init --domain NAME`: a domain of one's own, scaffolded from a template. As written, it
// type-checks with the real TypeScript (check, and tsc in the folder as an editor runs it),
// its specs pass and its scenario replays; once per backend.

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TS_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8')) as {
    version: string;
  }
).version;

let folder: ReturnType<typeof tempDir>;
beforeEach(() => (folder = tempDir()));
afterEach(() => folder.cleanup());

const scaffolded = () =>
  readdirSync(folder.dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => !path.startsWith('node_modules/eventlite/') && !/eventlite\.db/.test(path))
    .sort();

describe.each(backends())('on $name', (backend) => {
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });
  beforeEach(async () => (store = await backend.freshStore()));
  afterEach(() => store.cleanup());

  it('parking-lot: check, test and replay pass on the scaffold as written', async () => {
    const init = await cli(['init', '--domain', 'parking-lot']);
    expect([init.code, init.stdout]).toEqual([0, '']);
    expect(init.stderr).toBe(
      `event store ready at ${isPgUrl(store.db) ? store.db.replace(/:[^:@/]*@/, '@') : 'eventlite.db'}\n` +
        'wrote the parking-lot domain: eventlite.config.ts, scenario.ndjson, specs/parking-lot.spec.yaml, tsconfig.json, node_modules/eventlite\n' +
        'try: eventlite replay scenario.ndjson, eventlite test, eventlite check\n',
    );
    expect(scaffolded()).toEqual([
      'eventlite.config.ts',
      'node_modules',
      'node_modules/eventlite',
      'scenario.ndjson',
      'specs',
      'specs/parking-lot.spec.yaml',
      'tsconfig.json',
    ]);
    expect(await storeExists(store.db, folder.dir)).toBe(true);

    const check = await cli(['check']);
    expect([check.code, check.stdout, check.stderr]).toEqual([
      0,
      'eventlite.config.ts: loads, 1 decider and 1 projection\n' +
        `eventlite.config.ts: type-checks (TypeScript ${TS_VERSION})\n` +
        'eventlite.config.ts: projection handlers not compared: the store has no events\n',
      '',
    ]);
    const test = await cli(['test', '--format', 'table']);
    expect([test.code, test.stderr]).toEqual([0, '7 of 7 specs passed\n']);
    expect(test.stdout).toContain(
      '  ✓ parking_lot_summary keeps each latest name and counts the renames  (line 43)\n',
    );

    const replay = await cli(['replay', 'scenario.ndjson', '--format', 'ndjson']);
    expect([replay.code, replay.stderr]).toEqual([
      0,
      'replayed scenario.ndjson: 3 applied, 0 rejected, 3 events appended\n',
    ]);
    expect((await cli(['projections', 'run'])).code).toBe(0);
    const query = await cli([
      'query',
      'SELECT * FROM parking_lot_summary ORDER BY parking_lot_id',
      '--format',
      'ndjson',
    ]);
    expect(query.stdout).toBe(
      '{"parking_lot_id":"g1","name":"Second","renames":1,"updated_at":"2026-01-06T10:30:00.000Z"}\n' +
        '{"parking_lot_id":"g2","name":"Other","renames":0,"updated_at":"2026-01-05T09:00:01.000Z"}\n',
    );
    const state = await cli(['state', 'parkingLot-g1', '--format', 'ndjson']);
    expect(state.stdout).toBe('{"registered":true,"name":"Second"}\n');
    const rejected = await cli(['exec', 'RenameParkingLot', '{"parkingLotId":"g9","name":"x"}']);
    expect([rejected.code, rejected.stderr]).toEqual([
      4,
      'error: NotRegistered: g9 was never registered\n',
    ]);
    const checked = await cli(['check', '--no-types']);
    expect(checked.stdout).toContain("every projection handler's event type is in the store\n");
  });

  it('--force replaces an example, and leaves none of its specs behind', async () => {
    expect((await cli(['init', '--example', 'bank'])).code).toBe(0);
    const refused = await cli(['init', '--domain', 'library']);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      "error: refusing to overwrite eventlite.config.ts, scenario.ndjson or to leave the bank example's specs/account-summary.spec.yaml, specs/account.spec.yaml beside it (use --force)\n",
    ]);
    const forced = await cli(['init', '--domain', 'library', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(
      "removed the bank example's specs/account-summary.spec.yaml, specs/account.spec.yaml\n",
    );
    const test = await cli(['test', '--format', 'ndjson']);
    expect([test.code, test.stderr]).toEqual([0, '7 of 7 specs passed\n']);
  });
});

describe('init --domain', () => {
  describe('as written', () => {
    const NAMES = ['class', 'Library', 'parking_lot', 'toString', 'x'];
    let scaffolds: ReturnType<typeof tempDir>;
    let tsc: SpawnSyncReturns<string>;

    // Each name scaffolded in a folder of its own; then ONE tsc type-checks them all, each
    // folder by its own tsconfig.json as `tsc -p .` there would (`--build` takes several
    // projects; the scaffold's noEmit holds): five tsc start-ups and lib parses cost seconds.
    beforeAll(async () => {
      scaffolds = tempDir();
      for (const name of NAMES) {
        mkdirSync(join(scaffolds.dir, name));
        const init = await runInProcess(['init', '--domain', name], {
          cwd: join(scaffolds.dir, name),
        });
        expect([name, init.code]).toEqual([name, 0]);
      }
      tsc = spawnSync(process.execPath, [TSC, '--build', ...NAMES], {
        cwd: scaffolds.dir,
        encoding: 'utf8',
      });
    });
    afterAll(() => scaffolds?.cleanup());

    it.each(NAMES)('%s: tsc in the folder, check and test pass as written', async (name) => {
      const dir = join(scaffolds.dir, name);
      // tsc names a file with an error by its path from where it ran: NAME/….
      expect(tsc.stdout.split('\n').filter((line) => line.startsWith(`${name}/`))).toEqual([]);
      expect([tsc.status, tsc.stdout, tsc.stderr]).toEqual([0, '', '']);
      const check = await runInProcess(['check'], { cwd: dir });
      expect([check.code, check.stderr]).toEqual([0, '']);
      const test = await runInProcess(['test', '--format', 'ndjson'], { cwd: dir });
      expect([test.code, test.stderr]).toEqual([0, '7 of 7 specs passed\n']);
    });
  });

  it.each([
    [['init', '--domain', './eventlite.config.ts'], '"./eventlite.config.ts"'],
    [['init', '--domain', 'two words'], '"two words"'],
    [['init', '--domain', '-x'], '"-x"'],
  ])('refuses a name that is not one: %j', async (args, shown) => {
    const result = await runInProcess(args, { cwd: folder.dir });
    expect([result.code, result.stdout, result.stderr]).toEqual([
      2,
      '',
      `error: init --domain takes a name for a new domain: letters and digits, words joined by - or _ (library, parking-lot), at most 40 characters, got ${shown}\n`,
    ]);
    expect(readdirSync(folder.dir)).toEqual([]);
  });

  it('refuses --domain with --example; the environment never scaffolds', async () => {
    const both = await runInProcess(['init', '--domain', 'library', '--example', 'bank'], {
      cwd: folder.dir,
    });
    expect([both.code, both.stderr]).toEqual([
      2,
      'error: init takes --example NAME or --domain NAME, not both\n',
    ]);
    expect(readdirSync(folder.dir)).toEqual([]);
    const fromEnv = await runInProcess(['init'], {
      cwd: folder.dir,
      env: { EVENTLITE_DOMAIN: 'library' },
    });
    expect([fromEnv.code, fromEnv.stderr]).toEqual([0, 'event store ready at eventlite.db\n']);
    expect(readdirSync(folder.dir)).toEqual(['eventlite.db']);
  });
});
