import { EXIT } from './exit-codes.js';

type StopSignal = 'SIGINT' | 'SIGTERM';

/** The signal that stopped the command, for its exit code; reset for each command line. */
let received: StopSignal | undefined;

/**
 * An AbortSignal that fires on Ctrl-C or SIGTERM, for commands that run until interrupted
 * (`log --follow`) or that should stop between batches rather than die mid-write.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: StopSignal) => {
    received = signal;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Forgets the signal of an earlier command line run in the same process. */
export function resetInterrupt(): void {
  received = undefined;
}

/**
 * The shell's 128 + signal number, for every command: 143 after SIGTERM, 130 after Ctrl-C
 * (and for an interruption that no signal caused). A command that handles no signal dies of
 * it, which a shell reports with the same number.
 */
export function interruptedExitCode(): number {
  return received === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

/**
 * The items of `source` until `signal` aborts: an input that waits (stdin left open) must not
 * hold a stopped command. The caller closes the source itself.
 */
export async function* untilAborted<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const stopped = new Promise<IteratorResult<T>>((resolve) => {
    const stop = () => resolve({ done: true, value: undefined });
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  for (;;) {
    const next = await Promise.race([iterator.next(), stopped]);
    if (next.done) return;
    yield next.value;
  }
}
