import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn, storeExists } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, tempDir } from '../helpers/cli.js';
import { bankTemplate } from '../helpers/bank-template.js';

// A replay told in parts, as a class hears it: `--until-line` and `--from-line` count the
// file's lines as an editor does, and `q` in `--step` prints the command that goes on. The
// parts together store what one uninterrupted replay stores, times included. Once per backend.

const template = bankTemplate();
const CORRELATION = '0b6c0000-0000-4000-8000-0000000000aa';

const STORY = [
  '# Ada opens an account and pays in',
  '{"command":"OpenAccount","data":{"accountId":"acc-1","owner":"Ada"}}',
  '',
  '{"command":"Deposit","data":{"accountId":"acc-1","amount":100}}',
  '{"command":"Deposit","data":{"accountId":"acc-1","amount":5}}',
].join('\n');

/** The log as a replay leaves it, but for the event ids, which are new on every run. */
function withoutIds(ndjson: string): unknown[] {
  return parseNdjson(ndjson).map((event) => ({ ...(event as object), id: undefined }));
}

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  let whole: StoreUnderTest;
  const cli = (args: string[], input?: string) => runOn(store, args, { cwd: folder.dir, input });
  const cliOnWhole = (args: string[]) => runOn(whole, args, { cwd: folder.dir });

  beforeEach(async () => {
    folder = tempDir();
    cpSync(template.dir, folder.dir, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(folder.dir, 'story.ndjson'), `${STORY}\n`);
    store = await backend.freshStore();
    whole = await backend.otherStore('whole.db');
  });
  afterEach(async () => {
    await store.cleanup();
    await whole.cleanup();
    folder.cleanup();
  });

  it('q prints the command that goes on, with the flags given, and it goes on from there', async () => {
    const args = ['--clock', '2026-03-01T09:00:00Z', 'replay', 'story.ndjson', '--step'];
    const stopped = await cli([...args, '--keep-going'], '\nq\n');
    expect(stopped.code).toBe(0);
    const lines = stopped.stderr.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'stopped before story.ndjson:4',
      'replayed story.ndjson: 1 applied, 0 rejected, 1 event appended',
    ]);
    const goOn = /^to go on: eventlite (.*) --correlation-id ([0-9a-f-]{36})$/.exec(lines[2]!);
    expect(goOn?.[1]).toBe(
      '--clock 2026-03-01T09:00:00Z replay story.ndjson --keep-going --step --from-line 4',
    );
    expect(lines.slice(3)).toEqual(['']);

    // The printed command, word for word, with Enter for each line left.
    const words = `${goOn![1]!} --correlation-id ${goOn![2]!}`.split(' ');
    const rest = await cli(words, '\n\n');
    expect(rest.code).toBe(0);
    expect(rest.stdout.split('\n').filter((line) => line.startsWith('──'))).toEqual([
      '── story.ndjson:4  {"command":"Deposit","data":{"accountId":"acc-1","amount":100}}',
      '── story.ndjson:5  {"command":"Deposit","data":{"accountId":"acc-1","amount":5}}',
    ]);
    expect(rest.stderr).toBe('replayed story.ndjson: 2 applied, 0 rejected, 2 events appended\n');

    const once = await cliOnWhole([
      ...['--clock', '2026-03-01T09:00:00Z', 'replay', 'story.ndjson'],
      ...['--correlation-id', goOn![2]!],
    ]);
    expect(once.code).toBe(0);
    const parts = await cli(['log', '--format', 'ndjson']);
    const uninterrupted = await cliOnWhole(['log', '--format', 'ndjson']);
    expect(withoutIds(parts.stdout)).toEqual(withoutIds(uninterrupted.stdout));
    expect(withoutIds(parts.stdout)).toHaveLength(3);
  });

  it('--until-line then --from-line: the orders story in two parts, times and all', async () => {
    expect((await cli(['init', '--example', 'orders', '--force'])).code).toBe(0);
    const replay = (run: typeof cli, range: string[]) =>
      run([
        ...['replay', 'scenario.ndjson', '--keep-going', '--correlation-id', CORRELATION],
        ...range,
      ]);
    // Line 24 places an order at an "at"; line 25 ships it "a second after the line before".
    const first = await replay(cli, ['--until-line', '24']);
    expect(first.stderr).toContain('replayed scenario.ndjson: 11 applied, 2 rejected');
    const second = await replay(cli, ['--from-line', '25']);
    expect(second.stderr).toBe(
      'replayed scenario.ndjson: 1 applied, 0 rejected, 1 event appended\n',
    );
    expect(parseNdjson(second.stdout)).toMatchObject([
      { type: 'OrderShipped', recordedAt: '2026-03-16T12:00:01.000Z' },
    ]);
    expect((await replay(cliOnWhole, [])).code).toBe(0);
    const parts = await cli(['log', '--format', 'ndjson']);
    const uninterrupted = await cliOnWhole(['log', '--format', 'ndjson']);
    expect(withoutIds(parts.stdout)).toEqual(withoutIds(uninterrupted.stdout));

    // A range in the middle: a comment line and a blank one count, and replay nothing.
    const none = await cliOnWhole([
      'replay',
      'scenario.ndjson',
      '--from-line',
      '12',
      '--until-line',
      '14',
    ]);
    expect([none.code, none.stdout, none.stderr]).toEqual([
      0,
      '',
      'replayed scenario.ndjson: 0 applied, 0 rejected, 0 events appended\n',
    ]);
  });

  it.each([
    [['--from-line', '0'], 'error: --from-line must be a positive integer, got "0"\n'],
    [['--until-line', 'ten'], 'error: --until-line must be a positive integer, got "ten"\n'],
    [['--from-line', '5', '--until-line', '4'], 'error: --until-line 4 is before --from-line 5\n'],
  ])('refuses %j before touching anything', async (range, message) => {
    const result = await cli(['replay', 'story.ndjson', ...range]);
    expect([result.code, result.stdout, result.stderr]).toEqual([2, '', message]);
    expect(await storeExists(store.db, folder.dir)).toBe(false);
  });
});
