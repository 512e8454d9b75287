import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runCli } from '../helpers/in-process.js';

// `eventlite test` for people and for CI: a failing case shows the actual reason beside the
// expected one, and `--reporter junit|tap` prints what CI systems read. Command cases run
// purely, so no store is involved.

const LIBRARY = `import { defineDomain, reject } from 'eventlite';
export default defineDomain({
  deciders: {
    book: {
      category: 'book',
      commands: ['LendBook'],
      streamId: (command) => command.data.bookId,
      initialState: () => ({ lent: false }),
      evolve: (state, event) => (event.type === 'BookLent' ? { lent: true } : state),
      decide(command, state) {
        // The earlier argument order, reject(message, reason): the message lacks the reason.
        if (state.lent) reject('this book is already lent', 'AlreadyLent');
        return [{ type: 'BookLent', data: { bookId: command.data.bookId } }];
      },
    },
  },
});
`;

const SPECS = `- name: a free book is lent
  when: { command: LendBook, data: { bookId: b1 } }
  then: { events: [{ type: BookLent }] }

- name: a lent book <is> "not" lent again
  given: [{ type: BookLent, data: { bookId: b1 } }]
  when: { command: LendBook, data: { bookId: b1 } }
  then: { rejected: NotAvailable }
`;

const FAILURE =
  'expected a message with "NotAvailable", but the command rejected: AlreadyLent: this book is already lent';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
  writeFileSync(join(folder.dir, 'eventlite.config.mjs'), LIBRARY);
  mkdirSync(join(folder.dir, 'specs'));
  writeFileSync(join(folder.dir, 'specs/book.spec.yaml'), SPECS);
});
afterEach(() => folder.cleanup());
const cli = (args: string[]) => runCli(args, { cwd: folder.dir });

describe('eventlite test', () => {
  it('a failing case shows the actual reason, not only the expected one', async () => {
    const result = await cli(['test', '--format', 'table']);
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout:
        'specs/book.spec.yaml\n' +
        '  ✓ a free book is lent  (line 1)\n' +
        '  ✗ a lent book <is> "not" lent again  (line 5)\n' +
        `      ${FAILURE}\n`,
      stderr: 'error: 1 of 2 specs failed\n',
    });
  });

  it('--reporter tap prints TAP version 13', async () => {
    const result = await cli(['test', '--reporter', 'tap']);
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout:
        'TAP version 13\n' +
        '1..2\n' +
        'ok 1 - specs/book.spec.yaml:1 a free book is lent\n' +
        'not ok 2 - specs/book.spec.yaml:5 a lent book <is> "not" lent again\n' +
        '  ---\n' +
        `  message: ${JSON.stringify(FAILURE)}\n` +
        '  at: "specs/book.spec.yaml:5"\n' +
        '  ...\n',
      stderr: 'error: 1 of 2 specs failed\n',
    });
  });

  it('--reporter junit prints JUnit XML, escaped', async () => {
    const result = await cli(['test', '--reporter', 'junit']);
    const escaped = FAILURE.replaceAll('"', '&quot;');
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<testsuites name="eventlite test" tests="2" failures="1">\n' +
        '  <testsuite name="specs/book.spec.yaml" tests="2" failures="1">\n' +
        '    <testcase classname="specs/book.spec.yaml" name="a free book is lent" file="specs/book.spec.yaml" line="1"/>\n' +
        '    <testcase classname="specs/book.spec.yaml" name="a lent book &lt;is&gt; &quot;not&quot; lent again" file="specs/book.spec.yaml" line="5">\n' +
        `      <failure message="${escaped}">${escaped}</failure>\n` +
        '    </testcase>\n' +
        '  </testsuite>\n' +
        '</testsuites>\n',
      stderr: 'error: 1 of 2 specs failed\n',
    });
  });

  it('all passing: exit 0 and every point ok', async () => {
    writeFileSync(join(folder.dir, 'specs/book.spec.yaml'), SPECS.split('\n\n')[0]!);
    const result = await cli(['test', '--reporter', 'tap']);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      0,
      'TAP version 13\n1..1\nok 1 - specs/book.spec.yaml:1 a free book is lent\n',
      '1 of 1 specs passed\n',
    ]);
  });

  it('--reporter with --format, or an unknown reporter, is a usage error', async () => {
    const both = await cli(['test', '--reporter', 'tap', '--format', 'json']);
    expect([both.code, both.stdout, both.stderr]).toEqual([
      2,
      '',
      '{"error":{"exitCode":2,"kind":"usage","message":"--reporter and --format both say what to print; give one of them"}}\n',
    ]);
    const unknown = await cli(['test', '--reporter', 'xunit']);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      "error: option '--reporter <name>' argument 'xunit' is invalid. Allowed choices are junit, tap.\n",
    ]);
  });
});
