import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareStoreOn, runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, spawnCli, tempDir } from '../helpers/cli.js';

// `eventlite query` streams its rows: a result far larger than the heap prints whole in
// ndjson, csv, tsv, json, a table and Markdown, and a reader that goes away (`| head -1`)
// ends it at once. A table used to gather every row first, and lay them out at a cost that
// grew faster than the rows (10k rows: 11 s and 179 MB).

const ROWS = 300_000;
/** A heap that the whole result (rows, their copies and the text) does not fit in. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=64' };

/** 200 characters a row: the whole result is far more than the heap above. */
const LABEL = 'a label of some length for row '.padEnd(200, '.');
const generated = (rows: number) =>
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i, '${LABEL}' || i AS label, i * 3 AS triple FROM n`;

for (const backend of backends()) {
  describe(`query streams its rows, on ${backend.name}`, () => {
    const { dir, cleanup } = tempDir();
    let store: StoreUnderTest;
    const cli = (args: readonly string[]) =>
      runOn(store, ['--domain', 'domain.mjs', ...args], { cwd: dir });
    /** `eventlite query SQL --format FORMAT` as its own process, whose heap the result exceeds. */
    const underSmallHeap = (format: string) =>
      spawnCli(['--domain', 'domain.mjs', 'query', generated(ROWS), '--format', format], {
        cwd: dir,
        env: { ...store.env, ...SMALL_HEAP },
      });
    beforeAll(async () => {
      store = await backend.freshStore();
      await prepareStoreOn(store, dir, 3);
      const ran = await cli(['projections', 'run']);
      expect(ran.code, ran.stderr).toBe(0);
    });
    afterAll(async () => {
      await store.cleanup();
      cleanup();
    });

    it(`prints ${ROWS} rows as ndjson under a 64 MB heap`, async () => {
      const result = await underSmallHeap('ndjson');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(ROWS);
      expect(lines[0]).toBe(`{"i":1,"label":"${LABEL}1","triple":3}`);
      expect(lines[ROWS - 1]).toBe(`{"i":${ROWS},"label":"${LABEL}${ROWS}","triple":${ROWS * 3}}`);
    });

    it(`prints ${ROWS} rows as csv under a 64 MB heap`, async () => {
      const result = await underSmallHeap('csv');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(ROWS + 1);
      expect(lines[0]).toBe('i,label,triple');
      expect(lines[ROWS]).toBe(`${ROWS},${LABEL}${ROWS},${ROWS * 3}`);
    });

    it(`prints ${ROWS} rows as one JSON array under a 64 MB heap`, async () => {
      const result = await underSmallHeap('json');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.stdout) as { i: number }[];
      expect(rows).toHaveLength(ROWS);
      expect(rows.map((row) => row.i).every((i, index) => i === index + 1)).toBe(true);
    });

    it(`prints ${ROWS} rows as a table under a 64 MB heap, aligned within each widening`, async () => {
      const result = await underSmallHeap('table');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.pop()).toBe('');
      // Laid out from the first page: i up to 1000, labels up to 204 characters.
      const label = '─'.repeat(LABEL.length + 6);
      expect(lines.slice(0, 4)).toEqual([
        `┌──────┬${label}┬────────┐`,
        `│ i    │ ${'label'.padEnd(LABEL.length + 4)} │ triple │`,
        `├──────┼${label}┼────────┤`,
        `│ 1    │ ${LABEL}1    │ 3      │`,
      ]);
      // Every row, in order; each line as long as the rule above it (columns only widen).
      const rows = lines.filter((line) => line.startsWith('│')).slice(1);
      expect(rows).toHaveLength(ROWS);
      expect(rows.every((line, index) => line.startsWith(`│ ${index + 1} `))).toBe(true);
      let rule = lines[0]!;
      for (const line of lines.slice(1)) {
        if (!line.startsWith('│')) rule = line;
        else if (line.length !== rule.length) throw new Error(`misaligned: ${line}`);
      }
      expect(lines.at(-1)).toMatch(/^└─+┴─+┴─+┘$/);
      expect(lines.at(-2)).toBe(`│ ${ROWS} │ ${LABEL}${ROWS} │ ${ROWS * 3} │`);
    });

    it(`prints ${ROWS} rows as Markdown under a 64 MB heap`, async () => {
      const result = await underSmallHeap('markdown');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(ROWS + 2);
      expect(lines[2]).toBe(`| 1    | ${LABEL}1    | 3      |`);
      expect(lines[ROWS + 1]).toBe(`| ${ROWS} | ${LABEL}${ROWS} | ${ROWS * 3} |`);
    });

    /** `query SQL --format FORMAT | head -N` in a shell, with eventlite's own exit code. */
    const head = (format: string, lines: number) =>
      collect(
        spawn(
          'bash',
          [
            '-c',
            `"$NODE" "$BIN" --domain domain.mjs query "$SQL" --format ${format} | head -${lines}; echo "eventlite exit $\{PIPESTATUS[0]}" >&2`,
          ],
          {
            cwd: dir,
            env: cliEnv({
              ...store.env,
              ...SMALL_HEAP,
              NODE: process.execPath,
              BIN,
              SQL: generated(50_000_000),
            }),
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      );

    // Far more rows than could be gathered: only streaming ends these before the test's timeout.
    it('ends when the reader goes away: query … | head -1', async () => {
      const result = await head('ndjson', 1);
      expect(result.stdout).toBe(`{"i":1,"label":"${LABEL}1","triple":3}\n`);
      expect(result.stderr).toBe('eventlite exit 0\n');
      expect(result.code).toBe(0);
    });

    it('a table ends when the reader goes away too: query --format table | head -4', async () => {
      const result = await head('table', 4);
      expect(result.stdout.split('\n').slice(3)).toEqual([`│ 1    │ ${LABEL}1    │ 3      │`, '']);
      expect(result.stderr).toBe('eventlite exit 0\n');
      expect(result.code).toBe(0);
    });
  });
}
