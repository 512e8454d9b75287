import type { SetAsideRow } from '../../core/set-aside.js';
import {
  canonical,
  type Acknowledgement,
  type NewSubscription,
  type SetAsideQuery,
  type SubscriptionRow,
  type SubscriptionStore,
} from '../../core/subscriptions.js';
import { withStoreErrors } from './errors.js';
import { type Db, prepared } from './statements.js';

// Subscriptions' bookkeeping in the store file: every statement on eventlite_subscriptions and
// eventlite_subscription_set_aside (the PostgreSQL adapter's subscriptions.ts does the same).

const COUNTS = `
  (SELECT count(*) FROM eventlite_subscription_set_aside a
   WHERE a.subscription = s.name AND a.member = s.member AND a.kind = 'parked') AS parked,
  (SELECT count(*) FROM eventlite_subscription_set_aside a
   WHERE a.subscription = s.name AND a.member = s.member AND a.kind = 'skipped') AS skipped`;

const ROWS = `SELECT name, member, group_size AS groupSize, filter, checkpoint,
  created_at AS createdAt, updated_at AS updatedAt, ${COUNTS}
  FROM eventlite_subscriptions s`;

const SET_ASIDE_COLUMNS = `position, stream, type, kind, error, attempts, member,
  set_aside_at AS at, queued`;

const UPSERT_SET_ASIDE = `INSERT INTO eventlite_subscription_set_aside
    (subscription, position, member, stream, type, kind, error, attempts, queued, set_aside_at)
  VALUES (:name, :position, :member, :stream, :type, :kind, :error, :attempts, :queued, :at)
  ON CONFLICT (subscription, position) DO UPDATE SET
    kind = excluded.kind, error = excluded.error, attempts = attempts + excluded.attempts,
    queued = excluded.queued, set_aside_at = excluded.set_aside_at`;

type StoredRow = Omit<SubscriptionRow, 'filter'> & { filter: string };

function fromStored(row: StoredRow): SubscriptionRow {
  return { ...row, filter: JSON.parse(row.filter) as SubscriptionRow['filter'] };
}

export class SqliteSubscriptions implements SubscriptionStore {
  constructor(
    private readonly db: Db,
    private readonly location: string,
  ) {}

  private guard<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(withStoreErrors(this.location, work));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  list(name?: string): Promise<SubscriptionRow[]> {
    return this.guard(() => {
      const rows =
        name === undefined
          ? prepared(this.db, `${ROWS} ORDER BY name, member`).all()
          : prepared(this.db, `${ROWS} WHERE name = ? ORDER BY member`).all(name);
      return (rows as StoredRow[]).map(fromStored);
    });
  }

  create(subscription: NewSubscription, at: string): Promise<SubscriptionRow> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          prepared(
            this.db,
            `INSERT INTO eventlite_subscriptions
               (name, member, group_size, filter, checkpoint, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, member) DO NOTHING`,
          ).run(
            subscription.name,
            subscription.member,
            subscription.groupSize,
            JSON.stringify(canonical(subscription.filter)),
            subscription.checkpoint,
            at,
            at,
          );
          const row = prepared(this.db, `${ROWS} WHERE name = ? AND member = ?`).get(
            subscription.name,
            subscription.member,
          ) as StoredRow;
          return fromStored(row);
        })
        .immediate(),
    );
  }

  acknowledge(name: string, member: number, ack: Acknowledgement, at: string): Promise<boolean> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          const { changes } = ack.move
            ? prepared(
                this.db,
                `UPDATE eventlite_subscriptions SET checkpoint = ?, updated_at = ?
                 WHERE name = ? AND member = ? AND checkpoint = ?`,
              ).run(ack.move.to, at, name, member, ack.move.from)
            : prepared(
                this.db,
                `UPDATE eventlite_subscriptions SET updated_at = ? WHERE name = ? AND member = ?`,
              ).run(at, name, member);
          // Another run of the same member moved the checkpoint: nothing was written.
          if (changes !== 1) return false;
          const upsert = prepared(this.db, UPSERT_SET_ASIDE);
          for (const event of ack.setAside) {
            upsert.run({
              name,
              member,
              position: event.position,
              stream: event.stream,
              type: event.type,
              kind: event.kind,
              error: event.error,
              attempts: event.attempts,
              queued: event.queued ? 1 : 0,
              at,
            });
          }
          const remove = prepared(
            this.db,
            `DELETE FROM eventlite_subscription_set_aside WHERE subscription = ? AND position = ?`,
          );
          for (const position of ack.delivered) remove.run(name, position);
          return true;
        })
        .immediate(),
    );
  }

  setAside(name: string, query: SetAsideQuery = {}): Promise<SetAsideRow[]> {
    return this.guard(() => {
      const rows = prepared(
        this.db,
        `SELECT ${SET_ASIDE_COLUMNS} FROM eventlite_subscription_set_aside
         WHERE subscription = :name AND (:member IS NULL OR member = :member)
           AND (:kind IS NULL OR kind = :kind) AND (:queued IS NULL OR queued = :queued)
         ORDER BY position LIMIT :limit`,
      ).all({
        name,
        member: query.member ?? null,
        kind: query.kind ?? null,
        queued: query.queued === undefined ? null : Number(query.queued),
        limit: query.limit ?? -1,
      }) as (Omit<SetAsideRow, 'queued'> & { queued: number })[];
      return rows.map((row) => ({ ...row, queued: row.queued === 1 }));
    });
  }

  requeue(name: string, options: { skipped: boolean }): Promise<number> {
    return this.guard(
      () =>
        prepared(
          this.db,
          `UPDATE eventlite_subscription_set_aside SET queued = 1
           WHERE subscription = ? AND queued = 0 AND (kind = 'parked' OR ?)`,
        ).run(name, options.skipped ? 1 : 0).changes,
    );
  }

  drop(name: string): Promise<boolean> {
    return this.guard(() =>
      this.db
        .transaction(() => {
          prepared(
            this.db,
            `DELETE FROM eventlite_subscription_set_aside WHERE subscription = ?`,
          ).run(name);
          return (
            prepared(this.db, `DELETE FROM eventlite_subscriptions WHERE name = ?`).run(name)
              .changes > 0
          );
        })
        .immediate(),
    );
  }
}
