import type pg from 'pg';
import type { PgTarget } from './connection.js';
import type { RecordedEvent } from '../../core/events.js';
import { HandlerFailure, type BatchGuard, type ProjectionBatch } from '../../core/ports.js';
import { inTransaction, withClient, type ReadConnection } from './read-connection.js';
import { asStoreError, machineFailure, withReadStoreErrors } from './read-errors.js';
import { bindParameters } from './read-params.js';

const CHECKPOINT_MOVED = Symbol('checkpoint moved');

/**
 * Applies a batch and moves the checkpoint in ONE transaction. The projection's row is locked
 * first (`FOR UPDATE`), so a runner that lost the race finds out before running any handler;
 * the compare-and-set UPDATE at the end stays the real guarantee.
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
        const moved = await runStatements(client, target, batch, moveCheckpoint);
        if (moved.rowCount !== 1) throw CHECKPOINT_MOVED;
      });
      return true;
    } catch (error) {
      if (error === CHECKPOINT_MOVED) return false;
      throw error;
    }
  });
}

type Outcome = { error: unknown } | undefined;

/**
 * Runs each event's statements, in order, inside the open transaction, then `after` (the
 * checkpoint move). They are written to the server back to back and awaited once: the first
 * statement to fail aborts the transaction, so every later one fails too, and the failure is
 * pinned on the event of the first. A handler that throws (or a statement that cannot be bound)
 * stops the writing; a statement already sent that failed still comes first.
 *
 * Throws HandlerFailure for the projection's own failures and an EventliteError for the
 * machine's (a lost connection, a full disk, a lock timeout).
 */
export async function runStatements<T extends pg.QueryResultRow>(
  client: pg.ClientBase,
  target: PgTarget,
  batch: ProjectionBatch,
  after?: () => Promise<pg.QueryResult<T>>,
): Promise<pg.QueryResult<T>> {
  const sent: { event: RecordedEvent; outcome: Promise<Outcome> }[] = [];
  let thrown: { event: RecordedEvent; error: unknown } | undefined;
  for (const event of batch.events) {
    try {
      for (const statement of batch.statementsFor(event)) {
        const { text, values } = bindParameters(statement.sql, statement.params);
        const outcome = client.query(text, values).then(
          () => undefined,
          (error: unknown) => ({ error }),
        );
        sent.push({ event, outcome });
      }
    } catch (error) {
      thrown = { event, error };
      break;
    }
  }
  const last = thrown || !after ? undefined : after();
  last?.catch(() => {});
  for (const { event, outcome } of sent) {
    const failed = await outcome;
    if (failed) throw handlerFailure(event, failed.error, target);
  }
  if (thrown) throw new HandlerFailure(thrown.event, thrown.error);
  if (!last) return { rows: [], rowCount: 0 } as unknown as pg.QueryResult<T>;
  try {
    return await last;
  } catch (error) {
    throw asStoreError(error, target);
  }
}

function handlerFailure(event: RecordedEvent, error: unknown, target: PgTarget): Error {
  return machineFailure(error, target) ?? new HandlerFailure(event, error);
}
