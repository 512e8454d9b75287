import type { Run } from './run.js';

/** A status line on stderr that updates in place, or nothing where one does not belong. */
export interface Spinner {
  /** Replaces the status text; updates closer together than a frame are dropped. */
  update(text: string): void;
  /** A whole line on stderr that does not tear the spinner. */
  notice(text: string): void;
  stop(): void;
}

/**
 * A spinner only when stderr is a terminal and not --quiet; ora is imported only then. A
 * terminal that reports no width (some CI pseudo-terminals) makes ora's line clearing run away,
 * so it gets none either.
 */
export async function startSpinner(run: Run, text: string): Promise<Spinner> {
  const { stderr } = run.io;
  const columns = stderr.columns ?? 0;
  if (!run.stderrIsTTY || run.ctx.quiet || columns <= 0) {
    return { update: () => {}, notice: (line) => run.note(line), stop: () => {} };
  }
  const { default: ora } = await import('ora');
  // A terminal's stderr is always a Node stream (see processStream); tests pass streams too.
  const spinner = ora({ stream: stderr as NodeJS.WriteStream, isEnabled: true }).start(text);
  let shownAt = 0;
  return {
    update(next) {
      const now = Date.now();
      if (now - shownAt < 100) return;
      shownAt = now;
      spinner.text = next;
    },
    notice(line) {
      spinner.clear();
      stderr.write(`${line}\n`);
      spinner.render();
    },
    stop: () => spinner.stop(),
  };
}
