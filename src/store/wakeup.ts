import type { ChangeWatch } from '../core/ports.js';

/**
 * The waiting half of a ChangeWatch, shared by both adapters: `notify` marks a change (from a
 * file watch or a PostgreSQL notification) and wakes the waiter, if any; a change that comes
 * while nobody waits is kept for the next `next`, so none is lost between two waits.
 */
export class Wakeup implements Pick<ChangeWatch, 'next'> {
  #pending = false;
  #wake: (() => void) | undefined;

  notify(): void {
    this.#pending = true;
    this.#wake?.();
  }

  next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}
