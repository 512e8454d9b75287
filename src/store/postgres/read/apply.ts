import type pg from 'pg';
import type { PgTarget } from '../connection.js';
import { sqlFor } from '../../../core/dialect.js';
import type { RecordedEvent } from '../../../core/events.js';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type RetryBatch,
} from '../../../core/ports.js';
import {
  MaterializedViewError,
  type MaterializedView,
  type SqlStatement,
} from '../../../core/projection.js';
import { inTransaction, withClient, type ReadConnection } from './connection.js';
import { asStoreError, machineFailure, withReadStoreErrors } from './errors.js';
import { refreshSql } from './matviews.js';
import { bindParameters } from './params.js';
import { deleteSetAside, writeSetAside } from './set-aside.js';

const CHECKPOINT_MOVED = Symbol('checkpoint moved');

/**
 * Applies a batch and moves the checkpoint in ONE transaction. The projection's row is locked
 * first (`FOR UPDATE`), so a runner that lost the race finds out before running any handler;
 * the compare-and-set UPDATE at the end stays the real guarantee. The projection's
 * materialized views are refreshed in the same transaction, after the statements.
 */
export async function applyBatch(
  connection: ReadConnection,
  name: string,
  batch: ProjectionBatch,
  guard: BatchGuard,
): Promise<boolean> {
  const { target, quotedSchema: s } = connection;
  return withClient(connection, async (client) => {
    try {
      await inTransaction(client, target, async () => {
        const row = await withReadStoreErrors(target, async () => {
          const [, current] = await Promise.all([
            client.query(`SET LOCAL search_path TO ${s}`),
            client.query<{ matches: boolean }>(
              `SELECT checkpoint = $2 AND version = $3 AND definition_hash = $4 AS matches
               FROM ${s}.eventlite_projections WHERE name = $1 FOR UPDATE`,
              [name, batch.from, guard.version, guard.definitionHash],
            ),
          ]);
          return current.rows[0];
        });
        if (!row?.matches) throw CHECKPOINT_MOVED;
        const moveCheckpoint = () =>
          client.query(
            `UPDATE ${s}.eventlite_projections
             SET checkpoint = $2, status = 'ok', error = NULL, failed_position = NULL,
                 failed_stream = NULL, failed_type = NULL, failed_during = NULL, last_run_at = $6
             WHERE name = $1 AND checkpoint = $3 AND version = $4 AND definition_hash = $5`,
            [name, batch.to, batch.from, guard.version, guard.definitionHash, guard.at],
          );
        const { result } = await runStatements(client, target, batch, {
          refreshIn: s,
          after: moveCheckpoint,
        });
        if (result?.rowCount !== 1) throw CHECKPOINT_MOVED;
        await withReadStoreErrors(target, () =>
          writeSetAside(client, s, name, batch.setAside ?? [], guard.at),
        );
      });
      return true;
    } catch (error) {
      if (error === CHECKPOINT_MOVED) return false;
      throw error;
    }
  });
}

/**
 * Applies set-aside events again (`projections retry`) in ONE transaction: their statements,
 * the materialized views, and their rows removed, except for those the batch sets aside once
 * more, whose rows are updated. No checkpoint moves: they are behind it.
 */
export async function applySetAside(
  connection: ReadConnection,
  name: string,
  batch: RetryBatch,
  guard: BatchGuard,
): Promise<boolean> {
  const { target, quotedSchema: s } = connection;
  return withClient(connection, (client) =>
    inTransaction(client, target, async () => {
      const current = await withReadStoreErrors(target, async () => {
        await client.query(`SET LOCAL search_path TO ${s}`);
        const { rowCount } = await client.query(
          `SELECT 1 FROM ${s}.eventlite_projections
           WHERE name = $1 AND version = $2 AND definition_hash = $3 FOR UPDATE`,
          [name, guard.version, guard.definitionHash],
        );
        return rowCount === 1;
      });
      if (!current) return false;
      await runStatements(client, target, batch, { refreshIn: s });
      await withReadStoreErrors(target, async () => {
        await deleteSetAside(
          client,
          s,
          name,
          batch.events.map((event) => event.position),
        );
        await writeSetAside(client, s, name, batch.setAside ?? [], guard.at);
      });
      return true;
    }),
  );
}

type Outcome = { error: unknown } | undefined;

export interface RunOptions<T extends pg.QueryResultRow> {
  /** Refresh the batch's materialized views in this (quoted) schema after its statements. */
  refreshIn?: string;
  /** Run last (the checkpoint move); its failure is the store's, not the projection's. */
  after?: () => Promise<pg.QueryResult<T>>;
}

/**
 * Runs each event's statements, in order, inside the open transaction, then, when any ran and
 * `refreshIn` names a schema, refreshes the batch's materialized views, then `after`. They are
 * written to the server back to back and awaited once: the first statement to fail aborts the
 * transaction, so every later one fails too, and the failure is pinned on the event of the
 * first (a refresh's on the last event that ran statements). A handler that throws (or a
 * statement that cannot be bound) stops the writing; a statement already sent that failed
 * still comes first.
 *
 * Returns `after`'s result and the last event that ran statements. Throws HandlerFailure for
 * the projection's own failures and an EventliteError for the machine's (a lost connection, a
 * full disk, a lock timeout).
 */
export async function runStatements<T extends pg.QueryResultRow>(
  client: pg.ClientBase,
  target: PgTarget,
  batch: RetryBatch,
  options: RunOptions<T> = {},
): Promise<{ result?: pg.QueryResult<T>; lastApplied?: RecordedEvent }> {
  const { refreshIn, after } = options;
  const sent: { event: RecordedEvent; outcome: Promise<Outcome> }[] = [];
  const send = (
    event: RecordedEvent,
    text: string,
    values?: unknown[],
    view?: string,
    statement?: SqlStatement,
  ) => {
    const outcome = client.query(text, values).then(
      (result) => {
        if (statement) batch.onStatement?.(event, statement, result.rowCount ?? 0);
        return undefined;
      },
      (error: unknown) => ({
        error: view === undefined ? error : new MaterializedViewError(view, error),
      }),
    );
    sent.push({ event, outcome });
  };
  let thrown: { event: RecordedEvent; error: unknown } | undefined;
  let lastApplied: RecordedEvent | undefined;
  for (const event of batch.events) {
    try {
      for (const statement of batch.statementsFor(event)) {
        const sql = sqlFor(statement.sql, 'postgres');
        const { text, values } = bindParameters(sql, statement.params);
        send(event, text, values, undefined, { ...statement, sql });
        lastApplied = event;
      }
    } catch (error) {
      thrown = { event, error };
      break;
    }
  }
  if (!thrown && lastApplied && refreshIn !== undefined) {
    for (const view of batch.materializedViews ?? []) {
      send(lastApplied, refreshSql(refreshIn, view), undefined, view.name);
    }
  }
  const last = thrown || !after ? undefined : after();
  last?.catch(() => {});
  for (const { event, outcome } of sent) {
    const failed = await outcome;
    if (failed) throw handlerFailure(event, failed.error, target);
  }
  if (thrown) throw new HandlerFailure(thrown.event, thrown.error);
  if (!last) return { lastApplied };
  try {
    return { result: await last, lastApplied };
  } catch (error) {
    throw asStoreError(error, target);
  }
}

/**
 * Refreshes materialized views in schema `s` (quoted) inside the open transaction: for a
 * rebuild, once before its swap. A failure is pinned on `lastApplied` when there is one.
 */
export async function refreshMaterializedViews(
  client: pg.ClientBase,
  target: PgTarget,
  s: string,
  views: readonly MaterializedView[],
  lastApplied: RecordedEvent | undefined,
): Promise<void> {
  for (const view of views) {
    try {
      await client.query(refreshSql(s, view));
    } catch (error) {
      const failure = new MaterializedViewError(view.name, error);
      if (!lastApplied) throw machineFailure(error, target) ?? failure;
      throw handlerFailure(lastApplied, failure, target);
    }
  }
}

function handlerFailure(event: RecordedEvent, error: unknown, target: PgTarget): Error {
  const cause = error instanceof MaterializedViewError ? error.cause : error;
  return machineFailure(cause, target) ?? new HandlerFailure(event, error);
}
