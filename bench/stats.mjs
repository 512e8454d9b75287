import { performance } from 'node:perf_hooks';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds that `work` takes. */
export function time(work) {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/** Milliseconds that the async `work` takes, awaited. */
export async function timeAsync(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function perSecond(count, ms) {
  return (count * 1000) / ms;
}
