import { FdStream, type OutStream } from './fd-stream.js';

/** The parts of Node's native stream handle used here. */
interface NativeHandle {
  open(fd: number): number;
  readStart(): number;
  readStop(): number;
  unref(): void;
  onread: unknown;
}

export interface ReaderWatch {
  /** Aborts once the reader of stdout has gone away. */
  signal: AbortSignal;
  /** Watches while idle: only when nothing written is still on its way. */
  start(): void;
  /** Stops watching, before anything more is written. */
  stop(): void;
}

const NEVER: ReaderWatch = {
  signal: new AbortController().signal,
  start: () => {},
  stop: () => {},
};

/**
 * Notices that the reader of stdout went away while nothing is being written, so that
 * `log --follow | head -3` ends when head does rather than at the next event's write (the only
 * moment a closed pipe is otherwise reported). GNU `tail -f` polls its stdout for the same end.
 *
 * Node cannot poll a write-only pipe, and its stdout handle refuses to read; a second native
 * handle on fd 1 may be asked to read. A pipe's write end never has anything to read, but the
 * kernel flags it with an error once the read end is closed (a socket pair reports end of
 * file), so any answer at all means the reader is gone. The handle shares fd 1 with stdout's
 * own, so it reads only while stdout has nothing in flight (`start` checks), and is never
 * closed (closing would close fd 1).
 *
 * Only for stdout as a pipe or socket of this process (Node's stream or an FdStream); anything else (a terminal, a file, a
 * test's stream, a Node without the binding) gets a watch that never fires.
 */
export function watchStdoutReader(stdout: OutStream): ReaderWatch {
  if (!isStdoutPipe(stdout)) return NEVER;
  let handle: NativeHandle;
  try {
    const binding = (
      process as unknown as {
        binding(name: string): {
          TCP: new (type: number) => NativeHandle;
          constants: { SOCKET: number };
        };
      }
    ).binding('tcp_wrap');
    handle = new binding.TCP(binding.constants.SOCKET);
    if (handle.open(1) !== 0) return NEVER;
    handle.unref();
  } catch {
    return NEVER;
  }
  const controller = new AbortController();
  let reading = false;
  const stop = () => {
    if (reading) handle.readStop();
    reading = false;
  };
  handle.onread = () => {
    stop();
    controller.abort();
  };
  return {
    signal: controller.signal,
    start() {
      if (reading || controller.signal.aborted || stdout.writableLength > 0) return;
      reading = handle.readStart() === 0;
    },
    stop,
  };
}

function isStdoutPipe(stdout: OutStream): boolean {
  if (stdout instanceof FdStream) return stdout.fd === 1 && stdout.kind === 'pipe';
  if (stdout !== process.stdout || stdout.isTTY === true) return false;
  return (stdout as unknown as { _type?: string })._type === 'pipe';
}
