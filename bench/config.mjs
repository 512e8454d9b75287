// Sizes of a bench run. BENCH_EVENTS scales the whole run down (or up) from the full size;
// the other variables pin one figure each.

export const FULL_LOG_EVENTS = 1_000_000;
const FULL_IMPORT_EVENTS = 100_000;
const FULL_APPENDS = 10_000;

export function readConfig(env = process.env) {
  const logEvents = positiveInteger(env, 'BENCH_EVENTS', FULL_LOG_EVENTS);
  const scale = logEvents / FULL_LOG_EVENTS;
  return {
    logEvents,
    /** The smaller log read, to show that peak memory does not grow with the event count. */
    logEventsSmall: Math.max(1, Math.round(logEvents / 4)),
    importEvents: positiveInteger(
      env,
      'BENCH_IMPORT_EVENTS',
      Math.max(1_000, Math.round(FULL_IMPORT_EVENTS * scale)),
    ),
    importStreams: 1_000,
    appends: positiveInteger(env, 'BENCH_APPENDS', Math.max(200, Math.round(FULL_APPENDS * scale))),
    appendStreams: 100,
    startupRuns: positiveInteger(env, 'BENCH_STARTUP_RUNS', 10),
    /** Timed repetitions of the in-process and import measures; the median is reported. */
    repeats: positiveInteger(env, 'BENCH_REPEATS', 5),
    /** Alternating rounds of the 1M projection runs (ours catch-up, rebuild, raw); median. */
    projectionRounds: positiveInteger(env, 'BENCH_PROJECTION_ROUNDS', 3),
    only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((name) => name.trim()) : undefined,
  };
}

function positiveInteger(env, name, fallback) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${text}"`);
  }
  return value;
}
