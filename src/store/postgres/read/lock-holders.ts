import type pg from 'pg';

// Who holds the locks that a swap waited for, in words: "another writer" is wrong when it is
// a query whose reader stalled, or a psql session left open in a transaction.

interface Holder {
  pid: number;
  user: string | null;
  application: string | null;
  since: string | null;
  relations: string;
}

/**
 * The sessions holding locks on relations of `schema`, oldest transaction first, as one
 * phrase (`a query (pid 12, user …) has held account_summary since …`); undefined when none.
 * What a role may not see of other sessions (their start, for one) is left out.
 */
export async function describeLockHolders(
  client: pg.ClientBase,
  schema: string,
): Promise<string | undefined> {
  const { rows } = await client.query<Holder>(
    `SELECT l.pid, a.usename AS user, a.application_name AS application, to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since,
            string_agg(DISTINCT format('%I.%I', n.nspname, c.relname), ', ') AS relations
     FROM pg_locks l
     JOIN pg_class c ON c.oid = l.relation
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.granted AND l.pid <> pg_backend_pid() AND n.nspname = $1
       AND c.relkind IN ('r', 'p', 'v', 'm')
     GROUP BY 1, 2, 3, 4
     ORDER BY 4 NULLS LAST, 1`,
    [schema],
  );
  if (rows.length === 0) return undefined;
  const [first] = rows;
  const others = rows.length > 1 ? ` (and ${rows.length - 1} more sessions)` : '';
  return `${describeHolder(first!)}${others}`;
}

function describeHolder(holder: Holder): string {
  const what =
    holder.application === 'eventlite query'
      ? 'a query'
      : holder.application === 'eventlite'
        ? 'another eventlite process'
        : holder.application
          ? `a session of ${holder.application}`
          : 'a session';
  const who = [`pid ${holder.pid}`, ...(holder.user ? [`user ${holder.user}`] : [])].join(', ');
  const since = holder.since ? ` since ${holder.since}` : '';
  return `${what} (${who}) has held ${holder.relations}${since}`;
}
