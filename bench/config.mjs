// Sizes of a bench run. BENCH_EVENTS scales the whole run down (or up) from the full size;
// the other variables pin one figure each.

export const FULL_LOG_EVENTS = 1_000_000;
const FULL_IMPORT_EVENTS = 100_000;
const FULL_APPENDS = 10_000;
const FULL_APPEND_FILE_EVENTS = 40_000;
const FULL_BACKEND_APPENDS = 2_000;
const FULL_COMMANDS = 20_000;
const FULL_TABLE_ROWS = 100_000;

/** What `--backend postgres` (or BENCH_BACKEND=postgres) adds: 8 writers for the concurrent appends. */
export const APPEND_PROCESSES = 8;
const BACKENDS = ['sqlite', 'postgres'];

export function readConfig(env = process.env, argv = process.argv.slice(2)) {
  const backend = readBackend(env, argv);
  const logEvents = positiveInteger(env, 'BENCH_EVENTS', FULL_LOG_EVENTS);
  const scale = logEvents / FULL_LOG_EVENTS;
  // Fewer appends against PostgreSQL: at a few hundred fsynced commits a second on a shared
  // disk, three stores (SQLite, PostgreSQL, PostgreSQL without synchronous_commit) times two
  // (one process, eight) would take most of the run at the SQLite bench's 10k.
  const fullAppends = backend === 'postgres' ? FULL_BACKEND_APPENDS : FULL_APPENDS;
  const appends = positiveInteger(
    env,
    'BENCH_APPENDS',
    Math.max(200, Math.round(fullAppends * scale)),
  );
  return {
    /**
     * 'sqlite' (the default): eventlite's SQLite figures beside a raw better-sqlite3 baseline.
     * 'postgres': the same jobs on PostgreSQL beside SQLite, both through eventlite.
     */
    backend,
    logEvents,
    /** The smaller log read, to show that peak memory does not grow with the event count. */
    logEventsSmall: Math.max(1, Math.round(logEvents / 4)),
    importEvents: positiveInteger(
      env,
      'BENCH_IMPORT_EVENTS',
      Math.max(1_000, Math.round(FULL_IMPORT_EVENTS * scale)),
    ),
    importStreams: 1_000,
    appends,
    /** Events each of the APPEND_PROCESSES concurrent writers appends (--backend postgres). */
    appendsPerProcess: positiveInteger(
      env,
      'BENCH_APPENDS_PER_PROCESS',
      Math.max(50, Math.round(appends / APPEND_PROCESSES)),
    ),
    appendStreams: 100,
    /** `append --file` with ids is run at this many events and at twice as many. */
    appendFileEvents: positiveInteger(
      env,
      'BENCH_APPEND_FILE_EVENTS',
      Math.max(1_000, Math.round(FULL_APPEND_FILE_EVENTS * scale)),
    ),
    startupRuns: positiveInteger(env, 'BENCH_STARTUP_RUNS', 10),
    /** Commands replayed on one stream, and again over a tenth as many streams. */
    commands: positiveInteger(
      env,
      'BENCH_COMMANDS',
      Math.max(2_000, Math.round(FULL_COMMANDS * scale)),
    ),
    commandRounds: positiveInteger(env, 'BENCH_COMMAND_ROUNDS', 1),
    /** Rows of the read table `query --format table` and `--format ndjson` print. */
    tableRows: positiveInteger(
      env,
      'BENCH_TABLE_ROWS',
      Math.max(10_000, Math.round(FULL_TABLE_ROWS * scale)),
    ),
    /** Timed repetitions of the in-process and import measures; the median is reported. */
    repeats: positiveInteger(env, 'BENCH_REPEATS', 5),
    /** Alternating rounds of the 1M projection runs (ours catch-up, rebuild, raw); median. */
    projectionRounds: positiveInteger(env, 'BENCH_PROJECTION_ROUNDS', 3),
    /**
     * Rounds of each 1M-event job (import, read, catch-up) per backend with --backend postgres;
     * the median is reported. One by default: a PostgreSQL catch-up of 1M events takes minutes.
     */
    backendRounds: positiveInteger(env, 'BENCH_BACKEND_ROUNDS', 1),
    /** Appends whose latency to a following subscriber is measured, one each 100 ms. */
    followEvents: positiveInteger(env, 'BENCH_FOLLOW_EVENTS', 50),
    /** How long an idle follower's CPU is measured for. */
    followIdleMs: positiveInteger(env, 'BENCH_FOLLOW_IDLE_MS', 10_000),
    only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',').map((name) => name.trim()) : undefined,
  };
}

/** `--backend NAME` or `--backend=NAME` on the command line, else BENCH_BACKEND, else sqlite. */
function readBackend(env, argv) {
  let backend = env.BENCH_BACKEND || 'sqlite';
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--backend') backend = argv[(index += 1)] ?? '';
    else if (arg.startsWith('--backend=')) backend = arg.slice('--backend='.length);
    else throw new Error(`unknown argument "${arg}" (known: --backend sqlite|postgres)`);
  }
  if (!BACKENDS.includes(backend)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got "${backend}"`);
  }
  return backend;
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
