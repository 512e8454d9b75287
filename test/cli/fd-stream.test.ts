import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FdStream } from '../../src/cli/output/fd-stream.js';

// FdStream is what stdout and stderr are when they are a pipe or a file (src/cli/main.ts):
// these drive it over real descriptors, a FIFO standing in for the pipe.
describe('FdStream', () => {
  let dir: string;
  const opened: number[] = [];
  const open = (path: string, flags: number) => {
    const fd = openSync(path, flags);
    opened.push(fd);
    return fd;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eventlite-fd-'));
  });
  afterEach(() => {
    for (const fd of opened.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        // a socket handed the descriptor may have closed it already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const fifo = () => {
    const path = join(dir, 'pipe');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('writes to a file in order, whole, and calls back', async () => {
    const path = join(dir, 'out.txt');
    const stream = new FdStream(open(path, constants.O_WRONLY | constants.O_CREAT), 'file');
    const text = 'ä€😀\n'.repeat(50_000);
    expect(stream.write(text)).toBe(true);
    await new Promise<void>((resolve) => stream.write('end\n', () => resolve()));
    expect(readFileSync(path, 'utf8')).toBe(`${text}end\n`);
    expect(stream.writableLength).toBe(0);
  });

  it('hands a descriptor that cannot take more (EAGAIN) to a Node stream, losing and reordering nothing', async () => {
    const path = fifo();
    const reader = open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = open(path, constants.O_WRONLY | constants.O_NONBLOCK);
    opened.splice(opened.indexOf(writer), 1); // the socket it is handed to closes it
    const stream = new FdStream(writer, 'pipe');
    // Far more than a pipe holds (64 KiB): the write fills it, then Node's stream queues the rest.
    const lines = Array.from({ length: 40_000 }, (_, index) => `line ${index} ${'x'.repeat(20)}\n`);
    const sent = lines.join('');
    const whole = Buffer.from(sent);
    const hasRoom = stream.write(sent.slice(0, sent.length / 2));
    stream.write(sent.slice(sent.length / 2));
    expect(hasRoom).toBe(false);
    expect(stream.writableLength).toBeGreaterThan(0);
    const drained = new Promise<void>((resolve) => stream.on('drain', resolve));
    const received: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(65_536);
    while (total < whole.length) {
      let count = 0;
      try {
        count = readSync(reader, buffer, 0, buffer.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      received.push(Buffer.from(buffer.subarray(0, count)));
      total += count;
    }
    await drained;
    expect(Buffer.concat(received).equals(whole)).toBe(true);
  });

  it('reports a reader that has gone (EPIPE) during the failing write, once, and drops later writes', () => {
    const path = fifo();
    const reader = open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = open(path, constants.O_WRONLY);
    closeSync(reader);
    opened.splice(opened.indexOf(reader), 1);
    const stream = new FdStream(writer, 'pipe');
    const errors: string[] = [];
    stream.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? ''));
    stream.write('first\n');
    expect(errors).toEqual(['EPIPE']);
    expect(stream.write('second\n')).toBe(true);
    expect(errors).toEqual(['EPIPE']);
  });

  it('with no listener for errors, a reader that has gone is not a crash', () => {
    const path = fifo();
    const reader = open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = open(path, constants.O_WRONLY);
    closeSync(reader);
    opened.splice(opened.indexOf(reader), 1);
    const stream = new FdStream(writer, 'pipe');
    expect(() => stream.write('lost\n')).not.toThrow();
  });
});
