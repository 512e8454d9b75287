import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { writeTickDomain } from './projections-ux-domain.js';

/** The engine's words for gamma's `CREATE TABLE gamma_rows (a,, b)`. */
const SYNTAX_ERROR = {
  sqlite: 'near ",": syntax error',
  postgres: 'syntax error at or near ","',
};

describe.each(backends())('projections run with failing projections, on $name', (backend) => {
  let dir: string;
  let done: () => void;
  let store: StoreUnderTest;
  const cli = (args: readonly string[]) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });

  beforeEach(async () => {
    ({ dir, cleanup: done } = tempDir());
    store = await backend.freshStore();
    for (const n of [1, 2, 3]) {
      const appended = await cli(['append', 'ticks-all', 'Tick', JSON.stringify({ n })]);
      expect(appended.code, appended.stderr).toBe(0);
    }
  });
  afterEach(async () => {
    await store.cleanup();
    done();
  });

  it('runs every projection a failure does not concern, then exits 1 naming each failure', async () => {
    writeTickDomain(dir, { failOn: 2 });
    const result = await cli(['projections', 'run']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'beta: at position 3\n' +
        'error: 2 projections failed: ' +
        'projection "alpha" failed at event 2 (stream "ticks-all", type Tick): cannot project 2; ' +
        `projection "gamma" failed in its setup (CREATE TABLE gamma_rows (a,, b)): ${SYNTAX_ERROR[backend.name]}\n`,
    );
    const listed = await cli(['projections', '--format', 'json']);
    expect(
      (JSON.parse(listed.stdout) as Record<string, unknown>[]).map(
        ({ name, status, checkpoint, detail }) => ({ name, status, checkpoint, detail }),
      ),
    ).toEqual([
      {
        name: 'alpha',
        status: 'failed',
        checkpoint: 0,
        detail: 'at event 2 (stream "ticks-all", type Tick): cannot project 2',
      },
      { name: 'beta', status: 'ok', checkpoint: 3, detail: null },
      {
        name: 'gamma',
        status: 'failed',
        checkpoint: 0,
        detail: `in its setup: ${SYNTAX_ERROR[backend.name]} (in: CREATE TABLE gamma_rows (a,, b))`,
      },
    ]);
  });

  it('a setup that fails is named with its statement, and set up afresh once it is fixed', async () => {
    writeTickDomain(dir);
    const failed = await cli(['projections', 'run', 'gamma']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `error: projection "gamma" failed in its setup (CREATE TABLE gamma_rows (a,, b)): ${SYNTAX_ERROR[backend.name]}\n`,
    );
    const again = await cli(['projections', 'run', 'gamma']);
    expect(again.stderr).toBe(failed.stderr);
    writeTickDomain(dir, { gammaFixed: true });
    const fixed = await cli(['projections', 'run', 'gamma']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toBe('gamma: at position 3\n');
    const rows = await cli(['query', 'SELECT a FROM gamma_rows ORDER BY a', '--format', 'json']);
    expect(rows.stdout).toBe('[\n{"a":1},\n{"a":2},\n{"a":3}\n]\n');
  });

  it('--format json reports per projection where it started, where it got, how many events and how it ended', async () => {
    writeTickDomain(dir, { failOn: 2, gammaFixed: true });
    const first = await cli(['projections', 'run', 'beta', '--until', '1', '--format', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(
      '[\n{"name":"beta","from":0,"to":1,"events":1,"status":"ok","rebuilt":false,"error":null}\n]\n',
    );
    const result = await cli(['projections', 'run', '--format', 'json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        name: 'alpha',
        from: 0,
        to: 0,
        events: 0,
        status: 'failed',
        rebuilt: false,
        error:
          'projection "alpha" failed at event 2 (stream "ticks-all", type Tick): cannot project 2',
      },
      { name: 'beta', from: 1, to: 3, events: 2, status: 'ok', rebuilt: false, error: null },
      { name: 'gamma', from: 0, to: 3, events: 3, status: 'ok', rebuilt: false, error: null },
    ]);
  });

  it('--until before where a read model already is: refused with the reason, and a rebuild goes there when asked', async () => {
    writeTickDomain(dir, { gammaFixed: true });
    expect((await cli(['projections', 'run', 'beta'])).code).toBe(0);
    const refused = await cli(['projections', 'run', 'beta', '--until', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'error: projection "beta" is already at position 3, past --until 2; a run only moves forward (to go back, rebuild it: eventlite projections rebuild beta --until 2)\n',
    );
    const rebuilt = await cli(['projections', 'rebuild', 'beta', '--until', '2', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toBe(
      '[\n{"name":"beta","from":0,"to":2,"events":2,"status":"ok","rebuilt":true,"error":null}\n]\n',
    );
    const rows = await cli(['query', 'SELECT n FROM beta_rows ORDER BY n', '--format', 'json']);
    expect(rows.stdout).toBe('[\n{"n":1},\n{"n":2}\n]\n');
  });
});

describe.each(backends())(
  'projections wait with nothing running the projections, on $name',
  (backend) => {
    let dir: string;
    let done: () => void;
    let store: StoreUnderTest;
    const cli = (args: readonly string[], env: Record<string, string> = {}) =>
      runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir, env });

    beforeEach(async () => {
      ({ dir, cleanup: done } = tempDir());
      store = await backend.freshStore();
      writeTickDomain(dir, { gammaFixed: true });
      expect((await cli(['append', 'ticks-all', 'Tick', '{"n":1}'])).code).toBe(0);
      expect((await cli(['projections', 'run', 'beta'])).code).toBe(0);
      expect((await cli(['append', 'ticks-all', 'Tick', '{"n":2}'])).code).toBe(0);
    });
    afterEach(async () => {
      await store.cleanup();
      done();
    });

    const NOTHING_MOVED =
      'nothing moved their checkpoints meanwhile, so nothing seems to be running them: run "eventlite projections run" (or keep "eventlite projections run --follow" going) and wait again';

    it('gives up after EVENTLITE_WAIT_TIMEOUT when no --timeout is given, saying what to run', async () => {
      const result = await cli(['projections', 'wait', 'beta'], { EVENTLITE_WAIT_TIMEOUT: '0.2' });
      expect(result.code).toBe(6);
      expect(result.stderr).toBe(
        `error: projections did not reach position 2 within 0.2 s: beta (at 1); ${NOTHING_MOVED}\n`,
      );
    });

    it('--timeout beats the environment', async () => {
      const result = await cli(['projections', 'wait', '--timeout', '0.1'], {
        EVENTLITE_WAIT_TIMEOUT: '100',
      });
      expect(result.code).toBe(6);
      expect(result.stderr).toBe(
        `error: projections did not reach position 2 within 0.1 s: alpha (at 0), beta (at 1), gamma (at 0); ${NOTHING_MOVED}\n`,
      );
    });
  },
);

describe.each(backends())('projections run --trace, on $name', (backend) => {
  let dir: string;
  let done: () => void;
  let store: StoreUnderTest;
  const cli = (args: readonly string[]) =>
    runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });

  beforeEach(async () => {
    ({ dir, cleanup: done } = tempDir());
    store = await backend.freshStore();
    writeTickDomain(dir, { gammaFixed: true });
    for (const n of [1, 2]) {
      expect((await cli(['append', 'ticks-all', 'Tick', JSON.stringify({ n })])).code).toBe(0);
    }
  });
  afterEach(async () => {
    await store.cleanup();
    done();
  });

  it('prints each event applied, its statements and the rows each changed', async () => {
    const result = await cli(['projections', 'run', 'beta', 'gamma', '--trace']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'beta: event 1 (stream "ticks-all", type Tick)\n' +
        '  INSERT INTO beta_rows (n) VALUES (?) [1] → 1 row\n' +
        'beta: event 2 (stream "ticks-all", type Tick)\n' +
        '  INSERT INTO beta_rows (n) VALUES (?) [2] → 1 row\n' +
        'gamma: event 1 (stream "ticks-all", type Tick)\n' +
        '  INSERT INTO gamma_rows (a, b) VALUES (?, ?) [1,1] → 1 row\n' +
        'gamma: event 2 (stream "ticks-all", type Tick)\n' +
        '  INSERT INTO gamma_rows (a, b) VALUES (?, ?) [2,2] → 1 row\n',
    );
    expect(result.stderr).toBe('beta: at position 2\ngamma: at position 2\n');
  });

  it('--format ndjson gives one JSON object per event; a rebuild is traced too', async () => {
    expect((await cli(['projections', 'run', 'beta'])).code).toBe(0);
    const result = await cli(['projections', 'rebuild', 'beta', '--trace', '--format', 'ndjson']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      '{"projection":"beta","position":1,"stream":"ticks-all","type":"Tick","statements":[{"sql":"INSERT INTO beta_rows (n) VALUES (?)","params":[1],"rows":1}]}\n' +
        '{"projection":"beta","position":2,"stream":"ticks-all","type":"Tick","statements":[{"sql":"INSERT INTO beta_rows (n) VALUES (?)","params":[2],"rows":1}]}\n',
    );
    const json = await cli(['projections', 'run', '--trace', '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe(
      '{"error":{"exitCode":2,"kind":"usage","message":"--trace prints one line per event: give --format ndjson, or no --format"}}\n',
    );
  });
});
