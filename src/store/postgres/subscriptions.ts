import type pg from 'pg';
import type { SetAsideRow } from '../../core/set-aside.js';
import {
  canonical,
  type Acknowledgement,
  type NewSubscription,
  type SetAsideQuery,
  type SubscriptionRow,
  type SubscriptionStore,
} from '../../core/subscriptions.js';
import type { PgTarget } from './connection.js';
import { withPgErrors } from './errors.js';
import { EVENTS_CHANNEL } from './schema.js';
import { setAsideColumns } from './statements.js';
import { inTransaction } from './transaction.js';

// Subscriptions' bookkeeping in the store's schema: the same rows and statements as the SQLite
// adapter's subscriptions.ts, in PostgreSQL's types.

const COUNTS = `
  (SELECT count(*)::integer FROM eventlite.subscription_set_aside a
   WHERE a.subscription = s.name AND a.member = s.member AND a.kind = 'parked') AS parked,
  (SELECT count(*)::integer FROM eventlite.subscription_set_aside a
   WHERE a.subscription = s.name AND a.member = s.member AND a.kind = 'skipped') AS skipped`;

const ROWS = `SELECT name, member, group_size AS "groupSize", filter, checkpoint::float8 AS checkpoint,
  created_at AS "createdAt", updated_at AS "updatedAt", ${COUNTS}
  FROM eventlite.subscriptions s`;

const SET_ASIDE_COLUMNS = `position::float8 AS position, stream, type, kind, error, attempts,
  member, set_aside_at AS at, queued`;

const UPSERT_SET_ASIDE = `INSERT INTO eventlite.subscription_set_aside AS a
    (subscription, position, member, stream, type, kind, error, attempts, queued, set_aside_at)
  SELECT $1, e.position, $2, e.stream, e.type, e.kind, e.error, e.attempts, e.queued, $3
  FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::integer[],
              $10::boolean[]) AS e(position, stream, type, kind, error, attempts, queued)
  ON CONFLICT (subscription, position) DO UPDATE SET
    kind = excluded.kind, error = excluded.error, attempts = a.attempts + excluded.attempts,
    queued = excluded.queued, set_aside_at = excluded.set_aside_at`;

type StoredRow = Omit<SubscriptionRow, 'filter'> & { filter: string };

function fromStored(row: StoredRow): SubscriptionRow {
  return { ...row, filter: JSON.parse(row.filter) as SubscriptionRow['filter'] };
}

export class PgSubscriptions implements SubscriptionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly target: PgTarget,
  ) {}

  list(name?: string): Promise<SubscriptionRow[]> {
    return withPgErrors(this.target, async () => {
      const { rows } =
        name === undefined
          ? await this.pool.query<StoredRow>(`${ROWS} ORDER BY name, member`)
          : await this.pool.query<StoredRow>(`${ROWS} WHERE name = $1 ORDER BY member`, [name]);
      return rows.map(fromStored);
    });
  }

  async create(subscription: NewSubscription, at: string): Promise<SubscriptionRow> {
    return withPgErrors(this.target, async () => {
      await this.pool.query(
        `INSERT INTO eventlite.subscriptions
           (name, member, group_size, filter, checkpoint, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (name, member) DO NOTHING`,
        [
          subscription.name,
          subscription.member,
          subscription.groupSize,
          JSON.stringify(canonical(subscription.filter)),
          subscription.checkpoint,
          at,
        ],
      );
      const { rows } = await this.pool.query<StoredRow>(`${ROWS} WHERE name = $1 AND member = $2`, [
        subscription.name,
        subscription.member,
      ]);
      return fromStored(rows[0]!);
    });
  }

  acknowledge(name: string, member: number, ack: Acknowledgement, at: string): Promise<boolean> {
    return inTransaction(this.pool, this.target, async (client) => {
      const moved = ack.move
        ? await client.query(
            `UPDATE eventlite.subscriptions SET checkpoint = $1, updated_at = $2
             WHERE name = $3 AND member = $4 AND checkpoint = $5`,
            [ack.move.to, at, name, member, ack.move.from],
          )
        : await client.query(
            `UPDATE eventlite.subscriptions SET updated_at = $1 WHERE name = $2 AND member = $3`,
            [at, name, member],
          );
      // Another run of the same member moved the checkpoint: nothing was written.
      if (moved.rowCount !== 1) return false;
      const events = ack.setAside;
      if (events.length > 0) {
        await client.query(UPSERT_SET_ASIDE, [
          name,
          member,
          at,
          ...setAsideColumns(events),
          events.map((event) => event.queued === true),
        ]);
      }
      if (ack.delivered.length > 0) {
        await client.query(
          `DELETE FROM eventlite.subscription_set_aside
           WHERE subscription = $1 AND position = ANY($2::bigint[])`,
          [name, ack.delivered],
        );
      }
      return true;
    });
  }

  setAside(name: string, query: SetAsideQuery = {}): Promise<SetAsideRow[]> {
    return withPgErrors(this.target, async () => {
      const { rows } = await this.pool.query<SetAsideRow>(
        `SELECT ${SET_ASIDE_COLUMNS} FROM eventlite.subscription_set_aside
         WHERE subscription = $1 AND ($2::integer IS NULL OR member = $2)
           AND ($3::text IS NULL OR kind = $3) AND ($4::boolean IS NULL OR queued = $4)
         ORDER BY position LIMIT $5`,
        [name, query.member ?? null, query.kind ?? null, query.queued ?? null, query.limit ?? null],
      );
      return rows;
    });
  }

  requeue(name: string, options: { skipped: boolean }): Promise<number> {
    return inTransaction(this.pool, this.target, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE eventlite.subscription_set_aside SET queued = true
         WHERE subscription = $1 AND NOT queued AND (kind = 'parked' OR $2)`,
        [name, options.skipped],
      );
      // A following subscriber delivers them at once, as it would new events.
      if (rowCount) await client.query(`NOTIFY ${EVENTS_CHANNEL}`);
      return rowCount ?? 0;
    });
  }

  drop(name: string): Promise<boolean> {
    return inTransaction(this.pool, this.target, async (client) => {
      await client.query(`DELETE FROM eventlite.subscription_set_aside WHERE subscription = $1`, [
        name,
      ]);
      const { rowCount } = await client.query(
        `DELETE FROM eventlite.subscriptions WHERE name = $1`,
        [name],
      );
      return (rowCount ?? 0) > 0;
    });
  }
}
