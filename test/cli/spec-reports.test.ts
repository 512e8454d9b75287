import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';

// `eventlite test` for people and for CI: a failing case shows the actual reason beside the
// expected one, and `--reporter junit|tap` prints what CI systems read. Command cases run
// purely, so no store is involved.

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

const SPECS = `- name: a free book is lent
  when: { command: LendBook, data: { bookId: b1 } }
  then: { events: [{ type: BookLent }] }

- name: a lent book <is> "not" lent again
  given: [{ type: BookLent, data: { bookId: b1 } }]
  when: { command: LendBook, data: { bookId: b1 } }
  then: { rejected: NotAvailable }
`;

const FAILURE =
  'expected reason NotAvailable, but the command rejected: AlreadyLent: this book is already lent';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
  writeFileSync(join(folder.dir, 'eventlite.config.mjs'), LIBRARY);
  mkdirSync(join(folder.dir, 'specs'));
  writeFileSync(join(folder.dir, 'specs/book.spec.yaml'), SPECS);
});
afterEach(() => folder.cleanup());
const cli = (args: string[]) => runInProcess(args, { cwd: folder.dir });

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

  describe('text from a spec cannot break the report', () => {
    // A decider whose message holds what neither format may carry raw: XML 1.0's forbidden
    // U+FFFF, line breaks of every kind, and TAP's own syntax.
    const HOSTILE_MESSAGE = 'held\uffff by "x" \\ y\nok 7 - forged\u2028Bail out! from the message';
    const HOSTILE_DOMAIN = LIBRARY.replace(
      "reject('AlreadyLent', 'this book is already lent')",
      `reject('AlreadyLent', ${JSON.stringify(HOSTILE_MESSAGE)})`,
    );
    // YAML double-quoted names: U+FFFE, a tab, and newlines that would start TAP lines.
    const HOSTILE_SPECS = `- name: "lent\\uFFFE twice\\nok 3 - forged pass\\nBail out! # forged\\twith a tab"
  given: [{ type: BookLent, data: { bookId: b1 } }]
  when: { command: LendBook, data: { bookId: b1 } }
  then: { rejected: NotAvailable }
`;
    const NAME = 'lent\ufffe twice\nok 3 - forged pass\nBail out! # forged\twith a tab';
    const MESSAGE = `expected reason NotAvailable, but the command rejected: AlreadyLent: ${HOSTILE_MESSAGE}`;
    beforeEach(() => {
      writeFileSync(join(folder.dir, 'eventlite.config.mjs'), HOSTILE_DOMAIN);
      writeFileSync(join(folder.dir, 'specs/book.spec.yaml'), HOSTILE_SPECS);
    });

    it('TAP: the name stays on its line, the message reads back from its YAML block', async () => {
      const result = await cli(['test', '--reporter', 'tap']);
      expect(result.code).toBe(1);
      const lines = result.stdout.split('\n');
      expect(lines.slice(0, 3)).toEqual([
        'TAP version 13',
        '1..1',
        'not ok 1 - specs/book.spec.yaml:1 lent\ufffe twice\\nok 3 - forged pass\\nBail out! \\# forged\\twith a tab',
      ]);
      // Unescaped, the description gives the name back.
      const description = lines[2]!.slice('not ok 1 - specs/book.spec.yaml:1 '.length);
      const unescaped = description.replace(
        /\\(.)/g,
        (_, char: string) => ({ n: '\n', t: '\t' })[char] ?? char,
      );
      expect(unescaped).toBe(NAME);
      // Nothing else is a test point, a plan or a bail-out, by any reader's line breaks.
      const points = result.stdout.split(/\r\n|[\n\r\u0085\u2028\u2029]/);
      expect(points.filter((line) => /^(ok|not ok|Bail out!|1\.\.)/.test(line))).toEqual([
        '1..1',
        lines[2],
      ]);
      expect(lines.slice(3)).toEqual([
        '  ---',
        expect.stringMatching(/^ {2}message: "[^\n]*"$/),
        '  at: "specs/book.spec.yaml:1"',
        '  ...',
        '',
      ]);
      expect(parseYaml(lines.slice(4, 6).join('\n'))).toEqual({
        message: MESSAGE,
        at: 'specs/book.spec.yaml:1',
      });
    });

    it('JUnit: characters XML 1.0 forbids are written as \\uXXXX, the rest as it was', async () => {
      const result = await cli(['test', '--reporter', 'junit']);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/[\ufffe\uffff]/);
      const shownMessage = MESSAGE.replace('\uffff', '\\uffff').replaceAll('"', '&quot;');
      expect(result.stdout.split('\n').slice(3, 7)).toEqual([
        '    <testcase classname="specs/book.spec.yaml" name="lent\\ufffe twice&#10;ok 3 - forged pass&#10;Bail out! # forged&#9;with a tab" file="specs/book.spec.yaml" line="1">',
        `      <failure message="${shownMessage.split('\n')[0]}">${shownMessage.split('\n')[0]}`,
        `${shownMessage.split('\n')[1]}</failure>`,
        '    </testcase>',
      ]);
    });
  });
});
