import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOn } from '../helpers/backend-cli.js';
import { backends, type StoreUnderTest } from '../helpers/backends.js';
import { BIN, cliEnv, collect, tempDir } from '../helpers/cli.js';

// `eventlite streams` prints its streams a page at a time: with far more streams than a small
// heap holds, `streams | head -1` prints the first and ends at once (gathering them all ran out
// of memory), and the whole list still prints in flat memory. A store of many streams, made
// by importing generated NDJSON; the 1M-stream size of the report runs with EVENTLITE_STRESS=1.

const STRESS = process.env.EVENTLITE_STRESS === '1';
/**
 * Enough for eventlite and a page (PostgreSQL's driver included); far too small for every
 * stream at once: gathering them needed more than 24 MB for the default size, and 380 MB for
 * the 1M of the report.
 */
const SMALL_HEAP = '--max-old-space-size=16';
/**
 * The default store stays quick to build: fewer streams, with long names (about 900
 * characters, the limit is 1,000) so that all of them together still outgrow the heap.
 */
const STREAMS = STRESS ? 1_000_000 : 20_000;
const PAD = STRESS ? 'stream-' : 'a-stream-with-a-long-name-'.repeat(34);
const name = (n: number) => `${PAD}${String(n).padStart(8, '0')}`;
const summary = (n: number) =>
  JSON.stringify({
    stream: name(n),
    version: 1,
    firstRecordedAt: '2026-01-01T00:00:00.000Z',
    lastRecordedAt: '2026-01-01T00:00:00.000Z',
  });

/** STREAMS streams of one event each, as `export` writes them. */
async function writeExport(path: string): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (let n = 1; n <= STREAMS; n += 1) {
    chunk += `{"position":${n},"stream":"${name(n)}","version":1,"type":"Noted","id":"${randomUUID()}","data":{},"metadata":{},"recordedAt":"2026-01-01T00:00:00.000Z"}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(chunk, () => resolve()).on('error', reject));
}

for (const backend of backends()) {
  describe(`streams pages through ${STREAMS} streams, on ${backend.name}`, () => {
    const { dir, cleanup } = tempDir();
    let store: StoreUnderTest;
    /** The built binary under a small heap, its stdout piped into `tail` (a shell script). */
    const piped = (streamsArgs: string, into: string) =>
      collect(
        spawn(
          'bash',
          [
            '-c',
            `"$NODE" "$BIN" streams ${streamsArgs} | ${into}; echo "eventlite exit $\{PIPESTATUS[0]}" >&2`,
          ],
          {
            cwd: dir,
            env: cliEnv({ ...store.env, NODE_OPTIONS: SMALL_HEAP, NODE: process.execPath, BIN }),
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      );

    beforeAll(async () => {
      store = await backend.freshStore();
      await writeExport(join(dir, 'streams.ndjson'));
      const imported = await runOn(store, ['import', 'streams.ndjson'], { cwd: dir });
      expect(imported.code, imported.stderr).toBe(0);
    }, 600_000);
    afterAll(async () => {
      await store.cleanup();
      cleanup();
    });

    it('streams | head -1 prints the first and ends with 0 under a small heap', async () => {
      const result = await piped('--format ndjson', 'head -1');
      expect(result.stderr).toBe('eventlite exit 0\n');
      expect(result.stdout).toBe(`${summary(1)}\n`);
    });

    it('the whole list prints under the same heap, in order, as ndjson and as one JSON array', async () => {
      const ndjson = await piped('--format ndjson', "sed -n '1p;$p;$='");
      expect(ndjson.stderr).toBe('eventlite exit 0\n');
      expect(ndjson.stdout).toBe(`${summary(1)}\n${summary(STREAMS)}\n${STREAMS}\n`);
      const json = await piped(`--json --prefix ${PAD}0000001 --limit 3`, 'cat');
      expect(json.stderr).toBe('eventlite exit 0\n');
      expect(json.stdout).toBe(`[\n${[10, 11, 12].map(summary).join(',\n')}\n]\n`);
    });
  });
}
