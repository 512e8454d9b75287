import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// How a failure reaches a person and a script: the human line names a rejection's reason, and
// with --format json|ndjson stderr holds one JSON object that says what went wrong.

const LIBRARY = `import { defineDomain, reject } from 'eventlite';
export default defineDomain({
  deciders: {
    book: {
      category: 'book',
      streamId: (command) => command.data.bookId,
      initialState: () => ({ lent: false }),
      evolve: (state, event) => (event.type === 'BookLent' ? { lent: true } : state),
      decide: {
        LendBook(command, state) {
          if (state.lent) reject('AlreadyLent', 'this book is already lent');
          return [{ type: 'BookLent', data: { bookId: command.data.bookId } }];
        },
      },
    },
  },
});
`;

describe.each(backends())('on $name', (backend) => {
  let folder: ReturnType<typeof tempDir>;
  let store: StoreUnderTest;
  const cli = (args: string[]) => runOn(store, args, { cwd: folder.dir });

  beforeEach(async () => {
    folder = tempDir();
    store = await backend.freshStore();
    writeFileSync(join(folder.dir, 'eventlite.config.mjs'), LIBRARY);
    expect((await cli(['exec', 'LendBook', '{"bookId":"b1"}'])).code).toBe(0);
  });
  afterEach(async () => {
    await store.cleanup();
    folder.cleanup();
  });

  it('a rejection names its reason on the human line', async () => {
    const result = await cli(['exec', 'LendBook', '{"bookId":"b1"}', '--format', 'table']);
    expect(result).toMatchObject({
      code: 4,
      stdout: '',
      stderr: 'error: AlreadyLent: this book is already lent\n',
    });
  });

  it.each([['--json'], ['--format', 'json'], ['--format=ndjson']])(
    'with %s a rejection is one JSON object on stderr, with its reason',
    async (...flags) => {
      const result = await cli(['exec', 'LendBook', '{"bookId":"b1"}', ...flags]);
      expect(result).toMatchObject({ code: 4, stdout: '' });
      expect(result.stderr).toBe(
        '{"error":{"exitCode":4,"kind":"rejected","reason":"AlreadyLent",' +
          '"message":"AlreadyLent: this book is already lent"}}\n',
      );
    },
  );

  it('a conflict in JSON carries the stream, the expected and the actual version', async () => {
    const result = await cli([
      'append',
      'book-b1',
      'BookReturned',
      '{}',
      '--expected-version',
      '3',
      '--format',
      'ndjson',
    ]);
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        exitCode: 3,
        kind: 'conflict',
        message: 'version conflict on stream "book-b1": expected 3, actual 1',
        stream: 'book-b1',
        expected: 3,
        actual: 1,
      },
    });
    const noStream = await cli([
      'append',
      'book-b1',
      'BookReturned',
      '{}',
      '--expected-version',
      'no-stream',
      '--json',
    ]);
    expect(JSON.parse(noStream.stderr).error).toMatchObject({ expected: 'no-stream', actual: 1 });
  });

  it('a stream that is not there is kind not-found in JSON', async () => {
    const result = await cli(['read', 'book-none', '--json']);
    expect(result.code).toBe(5);
    expect(JSON.parse(result.stderr).error).toMatchObject({ exitCode: 5, kind: 'not-found' });
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});

describe('usage errors', () => {
  let folder: ReturnType<typeof tempDir>;
  beforeEach(() => (folder = tempDir()));
  afterEach(() => folder.cleanup());

  it('an unknown flag with --json is one JSON object, not commander text', async () => {
    const result = await runInProcess(['streams', '--json', '--frobnicate'], { cwd: folder.dir });
    expect(result).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr:
        '{"error":{"exitCode":2,"kind":"usage","message":"unknown option \'--frobnicate\'"}}\n',
    });
  });

  it('without a JSON format the same error stays commander text', async () => {
    const result = await runInProcess(['streams', '--frobnicate'], { cwd: folder.dir });
    expect([result.code, result.stderr]).toEqual([2, "error: unknown option '--frobnicate'\n"]);
  });
});
