import { sqlFor } from '../../../core/dialect.js';
import { EventliteError } from '../../../core/errors.js';
import type { RecordedEvent } from '../../../core/events.js';
import {
  MaterializedViewError,
  type MaterializedView,
  type SqlStatement,
} from '../../../core/projection.js';
import {
  HandlerFailure,
  type BatchGuard,
  type ProjectionBatch,
  type RetryBatch,
} from '../../../core/ports.js';
import { translateSqliteError } from '../errors.js';
import { refillMaterializedViews } from './matviews.js';
import { type Db, prepared } from '../statements.js';
import { deleteSetAside, writeSetAside } from './set-aside.js';

const CHECKPOINT_MOVED = Symbol('checkpoint moved');

const IS_AT_CHECKPOINT = `SELECT 1 FROM eventlite_projections
  WHERE name = ? AND checkpoint = ? AND version = ? AND definition_hash = ?`;

const MOVE_CHECKPOINT = `UPDATE eventlite_projections
  SET checkpoint = :to, status = 'ok', error = NULL, failed_position = NULL,
      failed_stream = NULL, failed_type = NULL, failed_during = NULL, last_run_at = :at
  WHERE name = :name AND checkpoint = :from AND version = :version
    AND definition_hash = :definitionHash`;

/**
 * Applies a batch and moves the checkpoint in ONE transaction on the read database: a process
 * killed at any instant leaves either all of it or none of it. The checkpoint move is a
 * compare-and-set from the position the batch started at, so of two runners that read the same
 * checkpoint only one commits; the other's transaction rolls back and it returns false, to
 * re-read and carry on from wherever the winner left the checkpoint.
 *
 * BEGIN IMMEDIATE takes the write lock first, so the checkpoint is checked before any handler
 * runs (a lost race costs no work); the guarded UPDATE at the end stays the real guarantee.
 *
 * The projection's materialized views are refilled in the same transaction, after the
 * statements, so they are never behind the checkpoint; a batch that ran no statement changed
 * no table and leaves them alone.
 */
export function applyBatch(
  db: Db,
  path: string,
  name: string,
  batch: ProjectionBatch,
  guard: BatchGuard,
): boolean {
  const key = [name, batch.from, guard.version, guard.definitionHash];
  try {
    // better-sqlite3 transactions must stay synchronous: no await may happen inside.
    db.transaction(() => {
      if (prepared(db, IS_AT_CHECKPOINT).get(...key) === undefined) throw CHECKPOINT_MOVED;
      const lastApplied = applyEvents(db, path, batch);
      if (lastApplied) refreshMaterializedViews(db, path, batch.materializedViews, lastApplied);
      writeSetAside(db, name, batch.setAside ?? [], guard.at);
      const { changes } = prepared(db, MOVE_CHECKPOINT).run({
        name,
        from: batch.from,
        to: batch.to,
        version: guard.version,
        definitionHash: guard.definitionHash,
        at: guard.at,
      });
      if (changes !== 1) throw CHECKPOINT_MOVED;
    }).immediate();
    return true;
  } catch (error) {
    if (error === CHECKPOINT_MOVED) return false;
    throw error;
  }
}

const IS_CURRENT = `SELECT 1 FROM eventlite_projections
  WHERE name = ? AND version = ? AND definition_hash = ?`;

/**
 * Applies set-aside events again (`projections retry`) in ONE transaction: their statements,
 * the materialized views, and their rows removed, except for those the batch sets aside once
 * more, whose rows are updated. No checkpoint moves: they are behind it.
 */
export function applySetAside(
  db: Db,
  path: string,
  name: string,
  batch: RetryBatch,
  guard: BatchGuard,
): boolean {
  return db
    .transaction(() => {
      if (prepared(db, IS_CURRENT).get(name, guard.version, guard.definitionHash) === undefined) {
        return false;
      }
      const lastApplied = applyEvents(db, path, batch);
      if (lastApplied) refreshMaterializedViews(db, path, batch.materializedViews, lastApplied);
      deleteSetAside(
        db,
        name,
        batch.events.map((event) => event.position),
      );
      writeSetAside(db, name, batch.setAside ?? [], guard.at);
      return true;
    })
    .immediate();
}

/**
 * Runs each event's statements inside whatever transaction is open, and returns the last event
 * that ran any (undefined when none did). A failure is the projection's (HandlerFailure, naming
 * the event), unless SQLite says it is the machine's: a full disk or a lock timeout passes
 * through as our error.
 */
export function applyEvents(db: Db, path: string, batch: RetryBatch): RecordedEvent | undefined {
  let lastApplied: RecordedEvent | undefined;
  for (const event of batch.events) {
    try {
      for (const statement of batch.statementsFor(event)) {
        const rows = executeStatement(db, statement);
        batch.onStatement?.(event, { ...statement, sql: sqlFor(statement.sql, 'sqlite') }, rows);
        lastApplied = event;
      }
    } catch (failure) {
      throw projectionFailure(event, failure, path);
    }
  }
  return lastApplied;
}

/**
 * Refills materialized views inside the open transaction. A refresh that fails (a division by
 * zero in the data, say) is pinned on the last event that ran statements, when there is one.
 */
export function refreshMaterializedViews(
  db: Db,
  path: string,
  views: readonly MaterializedView[] | undefined,
  lastApplied: RecordedEvent | undefined,
): void {
  try {
    refillMaterializedViews(db, views ?? []);
  } catch (failure) {
    if (!lastApplied) throw translateSqliteError(failure, path);
    throw projectionFailure(lastApplied, failure, path);
  }
}

function projectionFailure(event: RecordedEvent, failure: unknown, path: string): Error {
  const cause = failure instanceof MaterializedViewError ? failure.cause : failure;
  const translated = translateSqliteError(cause, path);
  if (translated !== cause && translated instanceof EventliteError) return translated;
  return new HandlerFailure(event, failure);
}

/** Runs one statement; returns the rows it changed. */
function executeStatement(db: Db, statement: SqlStatement): number {
  const compiled = prepared(db, sqlFor(statement.sql, 'sqlite'));
  const params = statement.params;
  if (params === undefined) return compiled.run().changes;
  if (Array.isArray(params)) return compiled.run(...params).changes;
  return compiled.run(params).changes;
}
