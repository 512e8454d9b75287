// The two event stores the --backend postgres bench compares, opened as a library user opens
// them (the adapters' own entry points in dist/), and the checks every measure runs on what
// it wrote: the counts, the stream versions, and optionally the store's own verify().
import { openPostgresEventStore } from '../dist/store/postgres/index.js';
import { openSqliteEventStore } from '../dist/store/sqlite/index.js';

export function isPostgres(location) {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The EventStore port over a SQLite file or a postgres:// URL. */
export async function openStore(location, { create = false } = {}) {
  return isPostgres(location)
    ? openPostgresEventStore(location, { create })
    : openSqliteEventStore(location, { create });
}

/** A store that exists and is empty: the appenders then open it without racing to create it. */
export async function createStore(location) {
  const store = await openStore(location, { create: true });
  await store.close();
}

/**
 * Throws unless the store holds exactly `events` events with head `events`, each stream of
 * `versions` (a Map) is at its version, and, with `verify`, every one of its checks passes.
 */
export async function checkStore(location, { events, versions, verify = false }, what) {
  const store = await openStore(location);
  try {
    const counts = await store.counts();
    if (counts.events !== events || counts.head !== events) {
      throw new Error(`${what}: ${JSON.stringify(counts)}, expected ${events} events`);
    }
    for (const [stream, version] of versions ?? []) {
      const actual = await store.streamVersion(stream);
      if (actual !== version) throw new Error(`${what}: ${stream} at ${actual}, not ${version}`);
    }
    if (verify) {
      const failed = (await store.verify()).filter((check) => !check.ok);
      if (failed.length > 0) {
        const problems = failed.map((check) => `${check.name}: ${check.detail}`).join('; ');
        throw new Error(`${what}: verify failed: ${problems}`);
      }
    }
  } finally {
    await store.close();
  }
}

/** Each stream's version after `work` ({ stream }[]) is appended to an empty store. */
export function versionsAfter(work) {
  const versions = new Map();
  for (const { stream } of work) versions.set(stream, (versions.get(stream) ?? 0) + 1);
  return versions;
}
