import type { Progress } from '../../projections/index.js';
import type { CliStreams, Run } from '../io.js';

export interface ProgressReporter {
  onProgress?: (progress: Progress) => void;
  /** A line on stderr that does not tear the spinner. */
  notice(text: string): void;
  stop(): void;
}

/**
 * A spinner with "events done / total, rate" while projections catch up: only when stderr is a
 * terminal and not --quiet, and ora is imported only then.
 */
export async function startProgress(run: Run, streams: CliStreams): Promise<ProgressReporter> {
  // A terminal that reports no width (some CI pseudo-terminals) would make the spinner's
  // line-clearing arithmetic run away, so it gets no spinner either.
  const columns = (streams.stderr as { columns?: number }).columns ?? 0;
  if (!run.stderrIsTTY || run.ctx.quiet || columns <= 0) {
    return { notice: (text) => run.note(text), stop: () => {} };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: streams.stderr, isEnabled: true }).start('starting');
  let started = { projection: '', at: Date.now() };
  let shownAt = 0;
  return {
    onProgress(progress) {
      const now = Date.now();
      if (progress.projection !== started.projection)
        started = { projection: progress.projection, at: now };
      else if (now - shownAt < 100) return; // a batch can take well under a frame
      shownAt = now;
      const seconds = Math.max((Date.now() - started.at) / 1000, 0.001);
      const rate = Math.round(progress.done / seconds);
      spinner.text = `${progress.projection}: ${progress.done}/${progress.total} events (${rate} events/s)`;
    },
    notice(text) {
      spinner.clear();
      streams.stderr.write(`${text}\n`);
      spinner.render();
    },
    stop: () => spinner.stop(),
  };
}
