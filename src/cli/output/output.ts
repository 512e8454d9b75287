import type { OutStream } from './fd-stream.js';
import { styleFor, type Style } from './style.js';

/**
 * Where a command's data goes. Buffers small writes into larger chunks, waits when the pipe
 * is full (so memory stays flat however much is printed), and turns a closed pipe
 * (`eventlite log | head -1`) into a quiet stop instead of an EPIPE crash.
 */
export class Output {
  readonly isTTY: boolean;
  readonly style: Style;
  private buffer = '';
  private pipeClosed = false;

  constructor(
    private readonly stream: OutStream,
    color: boolean,
  ) {
    this.isTTY = stream.isTTY === true;
    this.style = styleFor(stream, color);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.pipeClosed = true;
      else throw error;
    });
  }

  /** True once the reader has gone away: loops that print should stop. */
  get closed(): boolean {
    return this.pipeClosed;
  }

  /** Queues text; flushes when enough has gathered. Await it in long loops. */
  async write(text: string): Promise<void> {
    if (this.pipeClosed) return;
    this.buffer += text;
    if (this.buffer.length >= 64 * 1024) await this.flush();
  }

  async line(text: string): Promise<void> {
    await this.write(`${text}\n`);
  }

  async flush(): Promise<void> {
    if (this.pipeClosed || this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    const hasRoom = this.stream.write(chunk);
    if (!hasRoom && !this.pipeClosed) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }
}
