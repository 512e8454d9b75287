import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { StoreUnderTest } from '../helpers/backends.js';
import { parseNdjson, spawnCli } from '../helpers/cli.js';

// What the spawned subscription tests share: a store filled through `import`, the consumer's
// record of what it was handed, and the checks that at-least-once delivery must pass.

export interface Delivered {
  position: number;
  stream: string;
  version: number;
}

export const STRESS = process.env.EVENTLITE_STRESS === '1';

/** `count` events over `streams` streams of two categories, as an export, from position `first`. */
export function exportLines(count: number, streams: number, first = 1): string {
  const lines: string[] = [];
  for (let n = first; n < first + count; n += 1) {
    const stream = `${n % 2 ? 'account' : 'order'}-${n % streams}`;
    lines.push(
      JSON.stringify({
        stream,
        type: n % 3 ? 'Deposited' : 'Noted',
        id: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
        data: { n },
        metadata: {},
        recordedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function importEvents(
  store: StoreUnderTest,
  dir: string,
  count: number,
  streams: number,
  first = 1,
): Promise<void> {
  const file = join(dir, `import-${first}.ndjson`);
  writeFileSync(file, exportLines(count, streams, first));
  const result = await spawnCli(['import', file], { cwd: dir, env: store.env });
  expect(result.code, result.stderr).toBe(0);
}

/** The events of the store, as `log` gives them. */
export async function storedEvents(store: StoreUnderTest, dir: string): Promise<Delivered[]> {
  const log = await spawnCli(['log', '--format', 'ndjson'], { cwd: dir, env: store.env });
  expect(log.code, log.stderr).toBe(0);
  return parseNdjson(log.stdout) as Delivered[];
}

/** What the consumer wrote to `file`: the events it was handed, in the order it got them. */
export function deliveredIn(file: string): Delivered[] {
  if (!existsSync(file)) return [];
  return parseNdjson(readFileSync(file, 'utf8')) as Delivered[];
}

/** A member's checkpoint, as `subscriptions` lists it. */
export async function checkpointOf(
  store: StoreUnderTest,
  dir: string,
  name: string,
  member = 0,
): Promise<number> {
  const listed = await spawnCli(['subscriptions', name, '--format', 'json'], {
    cwd: dir,
    env: store.env,
  });
  if (listed.code === 5) return 0;
  expect(listed.code, listed.stderr).toBe(0);
  const rows = JSON.parse(listed.stdout) as { member: number; checkpoint: number }[];
  return rows.find((row) => row.member === member)?.checkpoint ?? 0;
}

/**
 * At least once and in order per stream: every expected event was handed over; and, stream by
 * stream, each event handed over for the first time is the one after the last new one (a
 * redelivery repeats events already handed over, never one that was not).
 */
export function expectAtLeastOnceInOrder(delivered: Delivered[], expected: Delivered[]): void {
  const seen = new Set(delivered.map((event) => event.position));
  const missing = expected.filter((event) => !seen.has(event.position));
  expect(
    missing.map((event) => event.position),
    'events never delivered',
  ).toEqual([]);
  const newest = new Map<string, number>();
  for (const event of delivered) {
    const last = newest.get(event.stream) ?? 0;
    if (event.version <= last) continue;
    expect(event.version, `stream ${event.stream} skipped ahead`).toBe(last + 1);
    newest.set(event.stream, event.version);
  }
}

/** The checkpoint is never past an event that the consumer was not handed in full. */
export function expectCheckpointAcknowledged(
  checkpoint: number,
  delivered: Delivered[],
  expected: Delivered[],
): void {
  const seen = new Set(delivered.map((event) => event.position));
  const passed = expected.filter(
    (event) => event.position <= checkpoint && !seen.has(event.position),
  );
  expect(
    passed.map((event) => event.position),
    `checkpoint ${checkpoint} passed them`,
  ).toEqual([]);
}

/** message-db's member for a stream, computed here apart from eventlite's code. */
export function messageDbMember(stream: string, size: number): number {
  const dash = stream.indexOf('-');
  const id = dash === -1 ? stream : stream.slice(dash + 1).split('+')[0]!;
  const hex = createHash('md5').update(id, 'utf8').digest('hex').slice(0, 16);
  const signed = BigInt.asIntN(64, BigInt(`0x${hex}`));
  return Number((signed < 0n ? -signed : signed) % BigInt(size));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
