import { EXIT } from './exit-codes.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The signal that stopped the command, for its exit code; reset for each command line. */
let received: StopSignal | undefined;

// Two ways a command meets Ctrl-C (SIGINT) and SIGTERM, both ending with the shell's 128 +
// the signal's number (130, 143):
//
// - A command that runs the user's code (a decider, a projection handler, a spec, a validator,
//   the domain module itself: exec, replay, state, check, test, diagram, ui, projections run
//   and rebuild, with or without --follow) handles no signal. A JavaScript handler runs only when
//   the event loop gets a turn, and user code that loops (`for (;;) {}`) never gives it one:
//   the command would ignore every signal but SIGKILL. Left at their default, the signals end
//   the process at once, wherever it is. That is safe because everything such a command
//   changes, it changes in transactions: SQLite undoes (or, in WAL mode, ignores) a transaction
//   that never committed when the file is next opened, and PostgreSQL rolls back the
//   transaction of a connection whose socket closed with the process; what was committed
//   stays. SIGKILL relies on the same (test/faults/crash.test.ts). The files it leaves are
//   whole too: the compiled-module cache is written by rename, and a rebuild's scratch file or
//   schema is removed by the next rebuild. `replay` prints a line's events once the line has
//   committed, with blocking writes (see FdStream), so what it printed was stored; a summary
//   or a trace still gathered in memory goes with the process. A shell sees 130 or 143; a
//   parent process sees the death by the signal (Node's `signal`, Python's negative
//   returncode).
// - A command that runs no user code once its domain module is loaded, and waits or follows
//   (`log --follow`, `projections wait`), takes the signal here, stops between two reads,
//   flushes, and exits with the code itself.
// - `subscribe` runs the user's code in another process (the consumer command, in a process
//   group of its own, so that Ctrl-C at a terminal reaches eventlite alone). The first signal
//   lets the running batch finish and be acknowledged, then ends with 130 or 143; a second
//   one is passed on to the consumer's group, whose batch is then delivered again next time
//   (see gracefulStop).

/**
 * An AbortSignal that fires on Ctrl-C or SIGTERM, for commands that run no user code and run
 * until interrupted (`log --follow`, `projections wait`); see above for the others.
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

/**
 * Two AbortSignals for a command that can finish what it is doing before it stops: `stop`
 * fires on the first Ctrl-C or SIGTERM (`onStop` says what will happen), `force` on the next
 * one, its reason the signal's name, to pass on.
 */
export function gracefulStop(onStop: (signal: StopSignal) => void): {
  stop: AbortSignal;
  force: AbortSignal;
  dispose: () => void;
} {
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (signal: StopSignal) => {
    received ??= signal;
    if (!stop.signal.aborted) {
      stop.abort();
      onStop(signal);
    } else force.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    force: force.signal,
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
