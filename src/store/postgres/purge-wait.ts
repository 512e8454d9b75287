import type pg from 'pg';

// VACUUM FULL copies a "recently dead" row version into the new file: one deleted or replaced
// by a transaction that some snapshot of the database still counts as running. Any session
// whose snapshot (backend_xmin) or own transaction (backend_xid) is as old as the lifecycle
// command's transaction keeps those versions alive; so do a prepared transaction and a
// replication slot's xmin (a standby's queries, with hot_standby_feedback). The purge waits
// for them to go. xids wrap around: age() counts back from the newest, so "as old or older"
// is age(theirs) >= age(ours).

const BLOCKERS = `
  -- Another role's session shows its xmin but not its state (without pg_read_all_stats).
  SELECT format('pid %s (%s, %s)', pid,
                coalesce(nullif(application_name, ''), backend_type, 'role ' || usename),
                coalesce(state, 'role ' || usename)) AS who
  FROM pg_stat_activity
  -- A session not yet attached to a database (starting up) or a WAL sender holds back every
  -- database's horizon.
  WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()
    -- Autovacuum workers too: a plain VACUUM's own snapshot holds nothing back, but between
    -- tables the worker reads the catalogs in a transaction of its own, under the same query text.
    AND (age(backend_xmin) >= age($1::xid) OR age(backend_xid) >= age($1::xid))
  UNION ALL
  SELECT format('prepared transaction %L', gid) FROM pg_prepared_xacts
  WHERE database = current_database() AND age(transaction) >= age($1::xid)
  UNION ALL
  SELECT format('replication slot %s', slot_name) FROM pg_replication_slots
  WHERE (database IS NULL OR database = current_database()) AND age(xmin) >= age($1::xid)`;

const FIRST_POLL_MS = 20;
const LONGEST_POLL_MS = 500;

/**
 * Waits, up to `timeoutMs`, until nothing in the database can still see the rows that the
 * transaction which appended the audit event at `position` deleted or replaced. Returns what
 * still could when the time ran out (empty: nothing can).
 */
export async function waitForOlderSnapshots(
  pool: pg.Pool,
  position: number,
  timeoutMs: number,
): Promise<string[]> {
  // The audit event's row was inserted by that very transaction: its xmin is its xid.
  const { rows } = await pool.query<{ xid: string }>(
    'SELECT xmin::text AS xid FROM eventlite.events WHERE position = $1',
    [position],
  );
  const xid = rows[0]?.xid;
  if (xid === undefined) return [];
  const deadline = Date.now() + timeoutMs;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, LONGEST_POLL_MS)) {
    const blockers = (await pool.query<{ who: string }>(BLOCKERS, [xid])).rows.map((r) => r.who);
    if (blockers.length === 0 || Date.now() >= deadline) return blockers;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, deadline - Date.now())));
  }
}
