import type { Progress } from '../../app/projections-run.js';
import type { Run } from '../run.js';
import { startSpinner } from '../spinner.js';

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
export async function startProgress(run: Run): Promise<ProgressReporter> {
  const spinner = await startSpinner(run, 'starting');
  let started = { projection: '', at: Date.now() };
  return {
    onProgress(progress) {
      if (progress.projection !== started.projection) {
        started = { projection: progress.projection, at: Date.now() };
      }
      const seconds = Math.max((Date.now() - started.at) / 1000, 0.001);
      const rate = Math.round(progress.done / seconds);
      spinner.update(
        `${progress.projection}: ${progress.done}/${progress.total} events (${rate} events/s)`,
      );
    },
    notice: (text) => spinner.notice(text),
    stop: () => spinner.stop(),
  };
}
