/**
 * Waits `ms`, or less if `signal` aborts first; never rejects. Used by every loop that polls or
 * paces (following the log, waiting for projections, replay's --delay), so Ctrl-C ends a wait
 * at once instead of after it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
