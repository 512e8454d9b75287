import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, spawnCli, startCli, tempDir } from '../helpers/cli.js';

// A process killed mid-batch leaves all of the batch or none of it, and the store verifies.

const EVENTS = Number(process.env.EVENTLITE_CRASH_EVENTS ?? 30_000);
const KILLS = Number(process.env.EVENTLITE_CRASH_KILLS ?? 4);

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

function exportLines(count: number): string {
  const lines: string[] = [];
  const versions = new Map<string, number>();
  for (let n = 1; n <= count; n += 1) {
    const id = `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
    const stream = `account-${n % 97}`;
    versions.set(stream, (versions.get(stream) ?? 0) + 1);
    lines.push(
      JSON.stringify({
        position: n,
        stream,
        version: versions.get(stream),
        type: 'MoneyDeposited',
        id,
        data: { accountId: String(n % 97), amount: n, balance: n * 2 },
        metadata: {},
        recordedAt: '2026-11-26T10:00:00.000Z',
      }),
    );
  }
  return lines.join('\n') + '\n';
}

async function eventCount(): Promise<number> {
  const status = await spawnCli(['status', '--format', 'json'], { cwd: folder.dir });
  expect(status.code).toBe(0);
  return (JSON.parse(status.stdout) as { events: number }).events;
}

describe('SIGKILL mid-batch', () => {
  it('leaves an import whole or absent, and a rerun converges to the source', async () => {
    const source = exportLines(EVENTS);
    writeFileSync(join(folder.dir, 'export.ndjson'), source);
    expect((await spawnCli(['init'], { cwd: folder.dir })).code).toBe(0);
    for (let kill = 0; kill < KILLS; kill += 1) {
      const importer = startCli(['import', 'export.ndjson'], { cwd: folder.dir });
      const done = collect(importer);
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 400));
      importer.kill('SIGKILL');
      await done;
      expect([0, EVENTS]).toContain(await eventCount());
      const verify = await spawnCli(['verify', '--format', 'json'], { cwd: folder.dir });
      expect(verify.code).toBe(0);
    }
    const finished = await spawnCli(['import', 'export.ndjson'], { cwd: folder.dir });
    expect(finished.code).toBe(0);
    const exported = await spawnCli(['export'], { cwd: folder.dir });
    expect(exported.stdout).toBe(source);
  });

  it('leaves an append --file batch whole or absent', async () => {
    const batch = Array.from({ length: EVENTS }, (_, n) =>
      JSON.stringify({ type: 'Tick', data: { n } }),
    ).join('\n');
    writeFileSync(join(folder.dir, 'batch.ndjson'), batch);
    expect((await spawnCli(['init'], { cwd: folder.dir })).code).toBe(0);
    for (let kill = 0; kill < KILLS; kill += 1) {
      const before = await eventCount();
      const appender = startCli(
        ['append', 'ticks', '--file', 'batch.ndjson', '--format', 'ndjson'],
        {
          cwd: folder.dir,
        },
      );
      const done = collect(appender);
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 400));
      appender.kill('SIGKILL');
      await done;
      expect([before, before + EVENTS]).toContain(await eventCount());
      expect((await spawnCli(['verify', '--format', 'json'], { cwd: folder.dir })).code).toBe(0);
    }
  });
});
