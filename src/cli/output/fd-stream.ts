import { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What the CLI writes its output to: a Node stream in tests, the process's own otherwise. */
export interface OutStream extends Pick<EventEmitter, 'on' | 'off'> {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  readonly writableLength: number;
  isTTY?: boolean;
  columns?: number;
}

/**
 * stdout or stderr when it is a pipe, a socket or a file: written with blocking writes to its
 * descriptor, as Node itself writes to pipes and files on Linux. Node's process.stdout for a
 * pipe is a net.Socket, and making it loads the net and stream modules, a measurable part of a
 * short command's start-up (`eventlite streams | jq`; bench/README.md has the figures). A terminal keeps Node's stream (see
 * processStream).
 *
 * A descriptor that turns out to be non-blocking (EAGAIN: a parent shared its own) is handed
 * to Node's stream from then on, which waits for room. A reader that has gone (EPIPE) is
 * reported as Node's stream reports it, one 'error' event and later writes dropped, except
 * that the event comes during the write that failed.
 */
export class FdStream extends EventEmitter implements OutStream {
  readonly isTTY = false;
  #node: OutStream | undefined;
  #closed = false;

  constructor(
    readonly fd: number,
    /** A pipe or socket (a reader that may go away), or a file. */
    readonly kind: 'pipe' | 'file',
  ) {
    super();
  }

  get writableLength(): number {
    return this.#node?.writableLength ?? 0;
  }

  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean {
    if (this.#node) return this.#node.write(chunk, callback);
    if (!this.#closed && chunk.length > 0) {
      const bytes = Buffer.from(chunk);
      let written = 0;
      try {
        while (written < bytes.length)
          written += writeSync(this.fd, bytes, written, bytes.length - written);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return this.#handOver(bytes.subarray(written), callback);
        this.#closed = true;
        // At once, not on a later tick: a loop that prints without waiting on I/O (rows of a
        // SQLite query) must see that its reader has gone before it prints the next row.
        this.#fail(error as NodeJS.ErrnoException);
      }
    }
    if (callback) process.nextTick(callback);
    return true;
  }

  /** From now on Node's own stream writes, and its events are this stream's. */
  #handOver(rest: Buffer, callback?: (error?: Error | null) => void): boolean {
    const node = nodeStream(this.fd);
    this.#node = node;
    node.on('drain', () => this.emit('drain'));
    node.on('close', () => this.emit('close'));
    node.on('error', (error: NodeJS.ErrnoException) => this.#fail(error));
    return node.write(rest, callback);
  }

  #fail(error: NodeJS.ErrnoException): void {
    // Like a stream that nobody listens to for errors, minus the crash: stderr has no listener.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}

/** Node's own stream for a descriptor: the process's stdout or stderr, or a socket over it. */
function nodeStream(fd: number): OutStream {
  if (fd === 1) return process.stdout;
  if (fd === 2) return process.stderr;
  const { Socket } = createRequire(import.meta.url)('node:net') as typeof import('node:net');
  return new Socket({ fd, readable: false, writable: true });
}

/**
 * The process's stdout or stderr: an FdStream for a pipe, a socket or a file, Node's own stream
 * for a terminal or anything else (a character device such as /dev/null included).
 */
export function processStream(fd: 1 | 2): OutStream {
  let kind: 'pipe' | 'file' | undefined;
  try {
    const stat = fstatSync(fd);
    if (stat.isFIFO() || stat.isSocket()) kind = 'pipe';
    else if (stat.isFile()) kind = 'file';
  } catch {
    kind = undefined;
  }
  if (kind) return new FdStream(fd, kind);
  return nodeStream(fd);
}
